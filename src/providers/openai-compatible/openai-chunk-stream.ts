/**
 * An OpenAI-format SSE body as a chunk stream. Events are cut from each upstream read as it
 * arrives and handed on as one batch of JSON texts: the relay writes them to the client in one
 * write per read, without parsing them (protocol/chunk-payload.ts). Iterating parses them into chunks
 * for the consumers that need objects (cascades, tests).
 *
 * undici hands the body over one HTTP chunk at a time, and an upstream sends each event as its
 * own chunk, so one socket read brings a dozen calls. They are gathered and delivered once, in a
 * microtask after undici has parsed the whole read: a delivery and a chunked client write per
 * event cost about a sixth of a relayed stream's CPU.
 *
 * The first chunk is parsed and checked before `started` resolves, so an upstream that answers
 * 200 and then sends garbage fails over like one that answers 500.
 */
import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';
import type { GatewayError } from '../../errors/index.js';
import { UpstreamMalformedResponseError } from '../../errors/index.js';
import type { ChatCompletionChunk } from '../../protocol/chat-types.js';
import type { PayloadSink, RelayableChunkStream } from '../chunk-stream.js';
import { mapNetworkError } from '../../errors/index.js';
import type { SendOptions } from '../shared/http-client.js';
import type { UpstreamBody } from '../shared/upstream-exchange.js';
import { isErrorPayload, parseChunk } from '../../protocol/chunk-payload.js';
import { StreamBounds } from '../shared/stream-bounds.js';

/** Parsed chunks waiting for a slow iterator before the upstream is paused. */
const ITERATOR_HIGH_WATER = 64;

export class OpenAIChunkStream implements RelayableChunkStream {
  readonly started: Promise<void>;
  private settleStart!: { resolve: () => void; reject: (error: unknown) => void };
  private isStarted = false;
  /** Saw `[DONE]`: what follows is ignored, and the end of the body is a clean end. */
  private finished = false;
  private outcome: { error?: GatewayError } | undefined;
  private batch: string[] = [];
  /** The bytes read since the last delivery. */
  private raw: Buffer[] = [];
  /** Batches that arrived before a reader attached. */
  private waiting: Array<{ batch: string[]; raw: Buffer[] }> = [];
  private sink: PayloadSink | undefined;
  private cancelled = false;
  /** The sink asked to wait: the upstream is paused at its next chunk until `resume()`. */
  private sinkFull = false;
  private readonly deliverLater = (): void => this.deliver();

  constructor(
    private readonly body: UpstreamBody,
    private readonly options: SendOptions,
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.settleStart = { resolve, reject };
    });
    // Awaited by the executor; this only keeps a failure nobody waits for from being "unhandled".
    this.started.catch(() => {});
    const bounds = new StreamBounds(options.provider, options.limits);
    const parser = createParser({
      onEvent: (event) => {
        bounds.eventCompleted();
        this.onEvent(event.data);
      },
      onComment: () => bounds.eventCompleted(),
    });
    // StringDecoder, not TextDecoder: TextDecoder goes through ICU and returns two-byte strings,
    // which cost 4% of a relayed stream's instructions to decode and more to write out again.
    const decoder = new StringDecoder('utf8');
    body.subscribe({
      onData: (chunk) => {
        if (this.outcome) return false;
        // Checked before the parser buffers anything: an endless line must not reach its buffer.
        const tooLarge = bounds.check(chunk);
        if (tooLarge) {
          this.settle(tooLarge);
          return false;
        }
        // The first chunk since the last delivery schedules the next one.
        if (this.raw.push(chunk) === 1) queueMicrotask(this.deliverLater);
        parser.feed(decoder.write(chunk));
        return !this.sinkFull;
      },
      onEnd: () => {
        parser.feed(decoder.end());
        parser.feed('\n\n');
        this.deliver();
        this.settle(this.finished ? undefined : this.malformed('the stream ended before [DONE]'));
      },
      onError: (error) => this.settle(mapNetworkError(error, options)),
    });
  }

  private onEvent(data: string): void {
    if (this.finished || this.outcome) return;
    if (data === '[DONE]') {
      this.finished = true;
      return;
    }
    if (!this.isStarted) {
      const first = parseChunk(data);
      if (!first || typeof first !== 'object') return this.settle(this.malformed('a stream event is not JSON'));
    }
    if (isErrorPayload(data)) {
      const message = (parseChunk(data) as { error?: { message?: string } }).error?.message;
      // This read's bytes hold the upstream's own error text, which a pass-through relay would
      // write out unscrubbed: hand on its good chunks framed anew instead (the error goes out
      // as the gateway's own, scrubbed, error event).
      this.raw = this.batch.length > 0 ? [Buffer.from(this.batch.map((payload) => `data: ${payload}\n\n`).join(''))] : [];
      return this.settle(this.malformed(`stream error: ${message ?? 'unknown'}`));
    }
    this.batch.push(data);
    if (!this.isStarted) {
      this.isStarted = true;
      this.settleStart.resolve();
    }
  }

  /** Hands on the chunks read since the last delivery. */
  private deliver(): void {
    // After cancel() the sink hears nothing more, even from a delivery already scheduled.
    if (this.cancelled || (this.batch.length === 0 && this.raw.length === 0)) return;
    const { batch, raw } = this;
    this.batch = [];
    this.raw = [];
    if (this.sink) this.handOn(this.sink, batch, raw);
    else this.waiting.push({ batch, raw });
  }

  private handOn(sink: PayloadSink, batch: string[], raw: Buffer[]): void {
    if (!sink.payloads(batch, raw)) this.sinkFull = true;
  }

  private settle(error: GatewayError | undefined): void {
    if (this.outcome) return;
    this.deliver();
    this.outcome = { error };
    if (error) this.body.destroy();
    if (!this.isStarted) {
      this.isStarted = true;
      if (error) this.settleStart.reject(error);
      else this.settleStart.resolve(); // an empty but well-formed stream
    }
    if (this.sink && !this.cancelled) this.finish(this.sink);
  }

  private finish(sink: PayloadSink): void {
    if (this.outcome?.error) sink.error(this.outcome.error);
    else sink.end();
  }

  private malformed(reason: string): GatewayError {
    return new UpstreamMalformedResponseError(this.options.provider, reason);
  }

  relay(sink: PayloadSink): void {
    if (this.sink) throw new Error('a chunk stream can be read once');
    this.sink = sink;
    const waiting = this.waiting;
    this.waiting = [];
    for (const { batch, raw } of waiting) this.handOn(sink, batch, raw);
    if (this.outcome && !this.cancelled) this.finish(sink);
  }

  resume(): void {
    this.sinkFull = false;
    this.body.resume();
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.body.destroy();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ChatCompletionChunk> {
    const queue: string[] = [];
    let ended = false;
    let failure: GatewayError | undefined;
    let wake: (() => void) | undefined;
    this.relay({
      payloads: (batch) => {
        for (const payload of batch) queue.push(payload);
        wake?.();
        return queue.length < ITERATOR_HIGH_WATER;
      },
      end: () => {
        ended = true;
        wake?.();
      },
      error: (error) => {
        failure = error;
        wake?.();
      },
    });
    try {
      for (;;) {
        if (queue.length > 0) {
          const chunk = parseChunk(queue.shift()!);
          if (!chunk || typeof chunk !== 'object') throw this.malformed('a stream event is not JSON');
          if (queue.length === 0) this.resume();
          yield chunk;
          continue;
        }
        if (failure) throw failure;
        if (ended) return;
        this.resume();
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      // Stopped early (the consumer broke off or threw): close the upstream exchange.
      if (!ended && !failure) this.cancel();
    }
  }
}
