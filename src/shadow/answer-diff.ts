/**
 * The cheap diff of two answers, computed when a comparison is stored: cheap enough to run on
 * every shadowed request, unlike a judge. Exact match after trimming, the length ratio (shorter
 * over longer, 1 for equal lengths), token-level similarity (the F1 overlap of the two answers'
 * word multisets, as SQuAD scores answers), and, when both answers are JSON, a structural diff.
 */

export interface JsonDifference {
  /** JSON path, `$.items[2].name`. */
  path: string;
  /** `weak_only`/`strong_only`: the key exists in one answer; `type`: different JSON types; `value`: same type, different value. */
  kind: 'weak_only' | 'strong_only' | 'type' | 'value';
}

export interface AnswerDiff {
  exact_match: boolean;
  length_ratio: number;
  token_similarity: number;
  /** Present when both answers parse as JSON (fenced ```json blocks included). */
  json?: { equal: boolean; differences: JsonDifference[]; truncated: boolean };
}

/** The most JSON differences kept: enough to read the shape of a disagreement, bounded in storage. */
const MAX_DIFFERENCES = 50;

export function diffAnswers(weak: string, strong: string): AnswerDiff {
  const left = weak.trim();
  const right = strong.trim();
  const longer = Math.max(left.length, right.length);
  const diff: AnswerDiff = {
    exact_match: left === right,
    length_ratio: longer === 0 ? 1 : round(Math.min(left.length, right.length) / longer),
    token_similarity: round(tokenF1(left, right)),
  };
  const weakJson = parseJson(left);
  const strongJson = parseJson(right);
  if (weakJson !== undefined && strongJson !== undefined) {
    const differences: JsonDifference[] = [];
    compareJson(weakJson.value, strongJson.value, '$', differences);
    diff.json = { equal: differences.length === 0, differences: differences.slice(0, MAX_DIFFERENCES), truncated: differences.length > MAX_DIFFERENCES };
  }
  return diff;
}

/** Lower-case words and numbers; punctuation and spacing do not count as disagreement. */
export function answerTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function tokenF1(left: string, right: string): number {
  const leftTokens = answerTokens(left);
  const rightTokens = answerTokens(right);
  if (leftTokens.length === 0 && rightTokens.length === 0) return 1;
  if (leftTokens.length === 0 || rightTokens.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const token of leftTokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of rightTokens) {
    const count = counts.get(token) ?? 0;
    if (count > 0) {
      common++;
      counts.set(token, count - 1);
    }
  }
  return (2 * common) / (leftTokens.length + rightTokens.length);
}

function parseJson(text: string): { value: unknown } | undefined {
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(text);
  const body = fenced ? fenced[1]! : text;
  if (!/^[[{]/.test(body.trim())) return undefined;
  try {
    return { value: JSON.parse(body) };
  } catch {
    return undefined;
  }
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function compareJson(weak: unknown, strong: unknown, path: string, out: JsonDifference[]): void {
  if (out.length > MAX_DIFFERENCES) return;
  const kind = typeOf(weak);
  if (kind !== typeOf(strong)) {
    out.push({ path, kind: 'type' });
    return;
  }
  if (kind === 'array') {
    const left = weak as unknown[];
    const right = strong as unknown[];
    for (let index = 0; index < Math.max(left.length, right.length); index++) {
      const at = `${path}[${index}]`;
      if (index >= left.length) out.push({ path: at, kind: 'strong_only' });
      else if (index >= right.length) out.push({ path: at, kind: 'weak_only' });
      else compareJson(left[index], right[index], at, out);
    }
    return;
  }
  if (kind === 'object') {
    const left = weak as Record<string, unknown>;
    const right = strong as Record<string, unknown>;
    for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
      const at = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      if (!(key in right)) out.push({ path: at, kind: 'weak_only' });
      else if (!(key in left)) out.push({ path: at, kind: 'strong_only' });
      else compareJson(left[key], right[key], at, out);
    }
    return;
  }
  if (weak !== strong) out.push({ path, kind: 'value' });
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
