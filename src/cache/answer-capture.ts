/**
 * Keeps a copy of an answer as it goes to the client, for the cache. A whole completion is kept
 * as it is. A stream is watched chunk by chunk — as the upstream's JSON text where the surface
 * relays bytes, as objects serialised before a surface edits them otherwise, event by event for
 * a native Anthropic stream (so thinking blocks and signatures survive) — and the copy counts
 * only once the stream has ended on its own: a stream that failed or whose client left is never
 * cached. Answers past `maxBytes` are not kept.
 */
import type { StartedStream, StreamRelay } from '../execution/chat-executor.js';
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
  // An OpenAI-format stream is read either as objects or, by the chat surface, as the upstream's
  // JSON text through its byte relay: both are watched, so the relay (the fast path) stays.
  const chunks: string[] = [];
  let bytes = 0;
  let ended = false;
  const keep = (text: string): void => {
    if (bytes > maxBytes) return;
    bytes += text.length;
    chunks.push(text);
  };
  async function* watchedChunks(): AsyncGenerator<ChatCompletionChunk> {
    for await (const chunk of stream.chunks) {
      keep(JSON.stringify(chunk));
      yield chunk;
    }
    ended = true;
  }
  const { relay } = stream;
  const watchedRelay: StreamRelay | undefined = relay && {
    start(sink) {
      relay.start({
        payloads(batch, raw) {
          for (const payload of batch) keep(payload);
          return sink.payloads(batch, raw);
        },
        end() {
          ended = true;
          sink.end();
        },
        error: (error) => sink.error(error),
      });
    },
    resume: () => relay.resume(),
    cancel: () => relay.cancel(),
    recordTokens: (tokens) => relay.recordTokens(tokens),
  };
  const watched: StartedStream = { ...stream, chunks: watchedChunks(), relay: watchedRelay };
  return { outcome: { ...outcome, stream: watched }, answer: () => (ended && bytes <= maxBytes ? { kind: 'chunks', chunks } : undefined) };
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
