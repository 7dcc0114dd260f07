/**
 * The per-request map between personal values and numbered placeholders. One masker lives for
 * one request: it is never logged, cached or sent anywhere, and dies with the request.
 *
 *   const masker = new PiiMasker();
 *   masker.mask('Mail jane@example.com', scanner.scan(…))   // 'Mail <EMAIL_1>'
 *   masker.mask('cc jane@example.com', …)                    // 'cc <EMAIL_1>' (same value, same number)
 *   masker.unmask('I wrote to <EMAIL_1>.')                   // 'I wrote to jane@example.com.'
 *
 * Placeholders are `<LABEL_N>` with an upper-case label and a decimal number: no quote, no
 * backslash, so a placeholder can stand inside a JSON string without escaping. Going back into
 * JSON text (tool-call arguments) the original value is escaped instead (`json-string` mode),
 * so a private key's newlines come back as `\n`, not as a raw line break that breaks the JSON.
 */
import { PLACEHOLDER_LABELS, type PiiEntity, type PiiFindings, type PiiMatch } from './entities.js';

/** `text`: the value as is. `json-string`: the value escaped for the inside of a JSON string. */
export type UnmaskMode = 'text' | 'json-string';

const PLACEHOLDER = /<([A-Z]+)_(\d+)>/g;

export class PiiMasker {
  private readonly placeholderByValue = new Map<string, string>();
  private readonly valueByPlaceholder = new Map<string, string>();
  private readonly numberByEntity = new Map<PiiEntity, number>();
  private readonly occurrences: PiiFindings = {};
  private masked = 0;
  private longest = 0;

  /**
   * Replaces each match (from `scanner.scan(text)`, in text order, not overlapping) by its
   * placeholder. `count: false` masks a second copy of text already counted (the native body a
   * pass-through sends beside the canonical request), so `maskedCount` stays one per occurrence.
   */
  mask(text: string, matches: readonly PiiMatch[], options: { count?: boolean } = {}): string {
    if (matches.length === 0) return text;
    let result = '';
    let position = 0;
    for (const match of matches) {
      result += text.slice(position, match.start) + this.placeholderFor(match.entity, match.value, options.count ?? true);
      position = match.end;
    }
    return result + text.slice(position);
  }

  /** The placeholder of a value, numbering it on first sight. Counts one occurrence unless `count` is false. */
  placeholderFor(entity: PiiEntity, value: string, count = true): string {
    if (count) {
      this.masked++;
      this.occurrences[entity] = (this.occurrences[entity] ?? 0) + 1;
    }
    const key = `${entity}\u0000${value}`;
    const known = this.placeholderByValue.get(key);
    if (known) return known;
    const number = (this.numberByEntity.get(entity) ?? 0) + 1;
    this.numberByEntity.set(entity, number);
    const placeholder = `<${PLACEHOLDER_LABELS[entity]}_${number}>`;
    this.placeholderByValue.set(key, placeholder);
    this.valueByPlaceholder.set(placeholder, value);
    this.longest = Math.max(this.longest, placeholder.length);
    return placeholder;
  }

  /** Puts the original values back for every placeholder this masker made; others stay as written. */
  unmask(text: string, mode: UnmaskMode = 'text'): string {
    if (this.valueByPlaceholder.size === 0 || !text.includes('<')) return text;
    return text.replace(PLACEHOLDER, (placeholder) => {
      const value = this.valueByPlaceholder.get(placeholder);
      if (value === undefined) return placeholder;
      return mode === 'json-string' ? JSON.stringify(value).slice(1, -1) : value;
    });
  }

  /**
   * Replaces every value this masker has numbered by its placeholder, wherever it appears in
   * `text`, without counting occurrences: for the copies of a request that are kept rather than
   * sent (the logged body) and for an answer that is stored, so they keep the masked text.
   */
  maskKnownValues(text: string): string {
    if (this.valueByPlaceholder.size === 0) return text;
    let result = text;
    // Longest first, so a value that contains another is replaced whole.
    const entries = [...this.valueByPlaceholder.entries()].sort((a, b) => b[1].length - a[1].length);
    for (const [placeholder, value] of entries) if (value !== '' && result.includes(value)) result = result.split(value).join(placeholder);
    return result;
  }

  /**
   * Whether `fragment` (text from a `<` to the end of what has arrived) could still grow into one
   * of this masker's placeholders: what a stream must hold back, and nothing more.
   */
  couldBecomePlaceholder(fragment: string): boolean {
    if (fragment.length >= this.longest) return false;
    for (const placeholder of this.valueByPlaceholder.keys()) {
      if (placeholder.length > fragment.length && placeholder.startsWith(fragment)) return true;
    }
    return false;
  }

  /** Occurrences masked in all, for `x-switchboard-guardrails: pii_masked=N`. */
  get maskedCount(): number {
    return this.masked;
  }

  /** Occurrences masked per entity type. */
  get findings(): PiiFindings {
    return { ...this.occurrences };
  }

  /** Distinct values masked. */
  get size(): number {
    return this.valueByPlaceholder.size;
  }

  /** Characters in the longest placeholder made so far: the most a stream ever holds back. */
  get longestPlaceholder(): number {
    return this.longest;
  }
}
