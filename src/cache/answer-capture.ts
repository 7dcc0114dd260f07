/**
 * Keeps a copy of an answer as it goes to the client, for the cache. A whole completion is kept
 * as it is. A stream is watched chunk by chunk (or, for a native Anthropic stream, event by
 * event, so thinking blocks and signatures survive): each is serialised as it passes, before a
 * surface edits it, and the copy counts only once the stream has ended on its own — a stream
 * that failed or whose client left is never cached. Answers past `maxBytes` are not kept.
 */
import { transformStream } from '../execution/chat-executor.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import { nativeMessageOf } from '../protocol/native-body.js';
import type { ChatCompletionChunk } from '../protocol/chat-types.js';
import type { ServerSentEvent } from '../providers/shared/sse-parser.js';
import type { CachedAnswer } from './cache-entry.js';

export interface Captured {
  outcome: ChatOutcome;
  /** The answer once it is whole; undefined for a stream that did not finish, or one too large. */
  answer(): CachedAnswer | undefined;
}

export function captureAnswer(outcome: ChatOutcome, maxBytes: number): Captured {
  if (outcome.kind === 'completed') {
    const { completion } = outcome.call;
    const message = nativeMessageOf(completion);
    const answer: CachedAnswer = message ? { kind: 'completion', completion, message } : { kind: 'completion', completion };
    return { outcome, answer: () => answer };
  }
  const { stream } = outcome;
  if (stream.native) {
    const events: ServerSentEvent[] = [];
    const watched = watch(stream.native.events, maxBytes, (event) => {
      events.push({ event: event.event, data: event.data });
      return event.data.length;
    });
    const native = { events: watched.items, recordTokens: stream.native.recordTokens };
    return { outcome: { ...outcome, stream: { ...stream, native } }, answer: () => (watched.complete() ? { kind: 'anthropic-events', events } : undefined) };
  }
  const chunks: string[] = [];
  let watched: ReturnType<typeof watch<ChatCompletionChunk>> | undefined;
  const transformed = transformStream(stream, (items) => {
    watched = watch(items, maxBytes, (chunk) => {
      const text = JSON.stringify(chunk);
      chunks.push(text);
      return text.length;
    });
    return watched.items;
  });
  return { outcome: { ...outcome, stream: transformed }, answer: () => (watched?.complete() ? { kind: 'chunks', chunks } : undefined) };
}

function watch<T>(items: AsyncIterable<T>, maxBytes: number, keep: (item: T) => number) {
  let ended = false;
  let bytes = 0;
  async function* watched(): AsyncGenerator<T> {
    for await (const item of items) {
      if (bytes <= maxBytes) bytes += keep(item);
      yield item;
    }
    ended = true;
  }
  return { items: watched(), complete: () => ended && bytes <= maxBytes };
}
