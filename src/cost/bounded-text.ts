/**
 * The text of a streamed answer, kept for counting its tokens when the upstream reports no
 * usage, in bounded memory. The first `limitChars` characters are kept; past them only the
 * number of characters is, and they are priced at the tokens per character measured on the
 * kept part. An endless stream used to be kept whole: the heap grew ~50 MB/s, and pricing it
 * threw `RangeError: Invalid string length` (issue 12, findings 3 and 4).
 *
 * @example
 *   const text = new BoundedText(65_536);
 *   text.append(delta);          // per streamed delta
 *   text.countTokens();          // at the end, when no usage came
 */
import { estimateTextTokens, scaledTokens } from './token-counter.js';

export class BoundedText {
  private kept = '';
  private dropped = 0;

  constructor(readonly limitChars: number) {}

  append(text: string): void {
    if (text.length === 0) return;
    const room = this.limitChars - this.kept.length;
    if (text.length <= room) {
      this.kept += text;
      return;
    }
    if (room > 0) this.kept += text.slice(0, room);
    this.dropped += text.length - Math.max(0, room);
  }

  /** All characters appended, kept or not. */
  get length(): number {
    return this.kept.length + this.dropped;
  }

  /** The kept beginning of the text. */
  get text(): string {
    return this.kept;
  }

  /** Whether characters were counted but not kept. */
  get truncated(): boolean {
    return this.dropped > 0;
  }

  /** Tokens of the whole text: counted on the kept part, scaled for the rest. */
  countTokens(): number {
    const keptTokens = estimateTextTokens(this.kept);
    if (this.dropped === 0) return keptTokens;
    return scaledTokens(keptTokens, this.kept.length, this.length);
  }
}
