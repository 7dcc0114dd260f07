/**
 * Token counting for upstreams that report no usage. Uses OpenAI's o200k tokenizer, which is
 * exact for current OpenAI models and a close estimate for others (costs counted this way are
 * marked `estimated`). The tokenizer loads lazily: it takes ~300 ms and most requests never need it.
 */
import type { ChatMessage } from '../protocol/chat-types.js';

type CountTokens = (text: string) => number;
let counter: CountTokens | undefined;
let loading: Promise<CountTokens> | undefined;

export function loadTokenizer(): Promise<CountTokens> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base').then((module) => {
    counter = module.countTokens as CountTokens;
    return counter;
  });
  return loading;
}

/**
 * Texts longer than this are not tokenized on the event loop: o200k runs at about 100 ns a
 * character on prose, so a 15 MB prompt held every other request for 1.6 s (issue 12, finding 10).
 */
export const EXACT_COUNT_CHARS = 16 * 1024;

/**
 * BPE is quadratic in the length of one pre-token: 64 Ki of 'a' took 12 s and 64 Ki CJK
 * characters without punctuation 83 s on this tokenizer. A run of this many characters
 * without a break (or of whitespace) is bounded by its size, never tokenized.
 */
const LONG_RUN = /\S{64,}|\s{64,}/g;

/**
 * Counts tokens exactly once the tokenizer has loaded, else estimates at ~4 characters a token.
 * A text longer than `EXACT_COUNT_CHARS` gets an upper bound instead: its UTF-8 size, since a
 * byte-level BPE token is at least one byte; so does each long unbroken run within a shorter
 * text. Budgets reserve from this, and need a bound, not an exact count; the upstream's reported
 * usage settles the real cost.
 */
export function countTokens(text: string): number {
  if (text.length > EXACT_COUNT_CHARS) return tokenBound(text);
  LONG_RUN.lastIndex = 0;
  if (!LONG_RUN.test(text)) return countShort(text);
  let total = 0;
  let last = 0;
  for (const match of text.matchAll(LONG_RUN)) {
    // +2 a cut: a token may have spanned the cut (a leading space joins the next word).
    total += countShort(text.slice(last, match.index)) + tokenBound(match[0]) + 2;
    last = match.index + match[0].length;
  }
  return total + countShort(text.slice(last));
}

function countShort(text: string): number {
  if (text.length === 0) return 0;
  if (counter) return counter(text);
  void loadTokenizer();
  return estimateTokens(text);
}

/** At least as many as any byte-level BPE tokenizer can produce for `text`: one per UTF-8 byte. */
export function tokenBound(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * For pricing a call whose upstream reported no usage: exact up to `EXACT_COUNT_CHARS`, and past
 * it the first `EXACT_COUNT_CHARS` are counted and the rest priced at their tokens per character.
 * An estimate (the cost is marked estimated), not a bound, and never a stall.
 */
export function estimateTextTokens(text: string): number {
  if (text.length <= EXACT_COUNT_CHARS) return countTokens(text);
  return scaledTokens(countTokens(text.slice(0, EXACT_COUNT_CHARS)), EXACT_COUNT_CHARS, text.length);
}

/** `sampleTokens` counted over `sampleChars` characters, scaled to `totalChars`. */
export function scaledTokens(sampleTokens: number, sampleChars: number, totalChars: number): number {
  if (sampleChars === 0) return Math.ceil(totalChars / 4);
  return Math.ceil((sampleTokens * totalChars) / sampleChars);
}

/** A fast estimate (~4 characters a token) for decisions on the hot path. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The text a chat request sends, for counting prompt tokens. */
export function messagesText(messages: readonly ChatMessage[]): string {
  let text = '';
  for (const message of messages) {
    text += message.role + '\n';
    if (typeof message.content === 'string') text += message.content + '\n';
    else if (Array.isArray(message.content)) {
      for (const part of message.content) if (part.type === 'text') text += (part as { text: string }).text + '\n';
    }
    if (message.tool_calls) for (const call of message.tool_calls) text += call.function.name + call.function.arguments + '\n';
  }
  return text;
}

/** Prompt tokens of a chat request: text plus OpenAI's per-message framing overhead (a bound for large prompts). */
export function countPromptTokens(messages: readonly ChatMessage[]): number {
  return countTokens(messagesText(messages)) + 3 * messages.length + 3;
}

/** Prompt tokens for pricing a call without reported usage: an estimate for large prompts (estimateTextTokens). */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  return estimateTextTokens(messagesText(messages)) + 3 * messages.length + 3;
}
