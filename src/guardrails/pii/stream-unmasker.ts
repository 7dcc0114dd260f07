/**
 * Unmasks a stream of text deltas. A placeholder can arrive split across deltas (`<EMA` then
 * `IL_1>`), so the end of a delta is held back while, and only while, it could still grow into
 * one of this request's placeholders: a trailing `<EMAIL_` is held, a trailing `<b` or `x < 3`
 * is not (no placeholder of the request starts that way). Everything else goes out with the
 * delta it arrived in, so time to first token is that of the unmasked stream.
 *
 *   const unmasker = new StreamUnmasker(masker);
 *   unmasker.push('Write to <EMA');   // 'Write to '
 *   unmasker.push('IL_1> today');     // 'jane@example.com today'
 *   unmasker.flush();                 // '' (what is still held when the stream ends, as is)
 *
 * The most ever held is one placeholder's length less one character (`masker.longestPlaceholder`).
 */
import type { PiiMasker, UnmaskMode } from './pii-masker.js';

export class StreamUnmasker {
  private held = '';

  constructor(
    private readonly masker: PiiMasker,
    private readonly mode: UnmaskMode = 'text',
  ) {}

  /** The unmasked text that can go out now. */
  push(delta: string): string {
    const text = this.held === '' ? delta : this.held + delta;
    this.held = '';
    const lastOpen = text.lastIndexOf('<');
    // Only the last `<` can start an unfinished placeholder: a placeholder has one `<`, at its start.
    if (lastOpen !== -1 && text.length - lastOpen < this.masker.longestPlaceholder && this.masker.couldBecomePlaceholder(text.slice(lastOpen))) {
      this.held = text.slice(lastOpen);
      return this.masker.unmask(text.slice(0, lastOpen), this.mode);
    }
    return this.masker.unmask(text, this.mode);
  }

  /** What is still held at the end of the stream: it never became a placeholder, so it goes out as it is. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  /** Characters held back right now. */
  get holding(): number {
    return this.held.length;
  }
}
