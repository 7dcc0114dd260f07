/**
 * Runs a chat request on one configured model: dispatches it (with the reliability layer's
 * retries and fallbacks), and prices the result. Routing strategies call this once per model
 * they try, so a cascade's two calls are priced and logged alike.
 */
import type { ModelRegistry, ResolvedDeployment, ResolvedModel } from '../models/model-registry.js';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../protocol/chat-types.js';
import type { Call, Dispatched, Dispatcher, DispatchContext } from '../reliability/dispatcher.js';
import { completionText, priceCall, recordAttemptCost, type CallCost } from './priced-call.js';
import { peekFirst } from './peek-first.js';
import { isRelayable, type ChunkStream, type PayloadSink, type RelayableChunkStream } from '../providers/chunk-stream.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import { nativeBodyOf } from '../protocol/native-body.js';
import type { NativeEventStream } from '../providers/provider.js';
import type { ServerSentEvent } from '../providers/shared/sse-parser.js';
import { completeNatively, isNativeEventStream, startedNative, streamNatively, type NativeStarted } from './native-calls.js';

export interface CompletedCall {
  completion: ChatCompletion;
  model: ResolvedModel;
  deployment: ResolvedDeployment;
  cost: CallCost;
}

export interface StartedStream {
  /** The chunks as objects. Read either these or `relay`, not both. */
  chunks: AsyncIterable<ChatCompletionChunk>;
  /** OpenAI-format upstreams: the chunks as the upstream's JSON text, batched per read (chunk-stream.ts). */
  relay?: StreamRelay;
  /** A same-protocol pass-through (native-calls.ts): the upstream's own events. Read these or `chunks`. */
  native?: NativeStarted['native'];
  model: ResolvedModel;
  deployment: ResolvedDeployment;
}

/**
 * A stream whose chunks pass through `transform` (a stage that rewrites or watches a stream:
 * unmasking, capture for the cache). The byte relay is dropped, so the transformed chunks are
 * what every surface encodes; a stream no stage transforms keeps it.
 *
 * A native pass-through stream (an Anthropic deployment's own events) is kept native when the
 * stage also gives `transformNative`, which rewrites those events; without it the native view is
 * dropped and the surface encodes the transformed chunks instead.
 */
export function transformStream(
  stream: StartedStream,
  transform: (chunks: AsyncIterable<ChatCompletionChunk>) => AsyncIterable<ChatCompletionChunk>,
  transformNative?: (events: AsyncIterable<ServerSentEvent>) => AsyncIterable<ServerSentEvent>,
): StartedStream {
  const chunks = transform(stream.chunks);
  if (stream.native && transformNative) {
    const { events, recordTokens } = stream.native;
    return { chunks, native: { events: transformNative(events), recordTokens }, model: stream.model, deployment: stream.deployment };
  }
  return { chunks, model: stream.model, deployment: stream.deployment };
}

/** A relayable stream whose end (or failure, or cancel) is reported to the reliability layer. */
export interface StreamRelay {
  start(sink: PayloadSink): void;
  resume(): void;
  cancel(): void;
  /** Counts a usage report's tokens against the deployment's tpm. */
  recordTokens(tokens: number): void;
}

/** The headers of an outcome no route added any to; shared, never written to. */
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** A successful completion that is nevertheless a refusal: failed over to `content_filter_fallback`. */
const COMPLETION_OPTIONS = { isRefusal: (completion: ChatCompletion) => completion.choices.some((choice) => choice.finish_reason === 'content_filter') };

export class ChatExecutor {
  constructor(
    readonly registry: ModelRegistry,
    readonly dispatcher: Dispatcher,
  ) {}

  /**
   * Runs a request on one model as the client asked: streamed or whole. This is the one place
   * where the two fork; routes call it for the answer they decided on.
   */
  async execute(model: ResolvedModel, request: ChatCompletionRequest, context: DispatchContext, headers: Record<string, string> = NO_HEADERS): Promise<ChatOutcome> {
    if (request.stream) return { kind: 'stream', stream: await this.stream(model, request, context), extraCost: 0, headers };
    return { kind: 'completed', call: await this.complete(model, request, context), extraCost: 0, headers };
  }

  /** Any other call (embeddings) through the same reliability layer. */
  dispatch<T>(model: ResolvedModel, context: DispatchContext, call: Call<T>): Promise<Dispatched<T>> {
    return this.dispatcher.dispatch(model, context, call);
  }

  async complete(model: ResolvedModel, request: ChatCompletionRequest, context: DispatchContext): Promise<CompletedCall> {
    const native = nativeBodyOf(request);
    const result = await this.dispatcher.dispatch(
      model,
      context,
      (deployment, options) => (native ? completeNatively(deployment, request, native, options) : deployment.provider.chat(request, options)),
      COMPLETION_OPTIONS,
    );
    const completion = result.value;
    const cost = priceCall(request, completion.usage, completionText(completion.choices[0]?.message), result.deployment);
    result.recordTokens(cost.tokens.promptTokens + cost.tokens.completionTokens);
    recordAttemptCost(context.attempts, cost);
    return { completion, model: result.model, deployment: result.deployment, cost };
  }

  /**
   * Starts a stream and waits for its first chunk before resolving, so a deployment that
   * accepts the connection but fails before sending anything is still failed over.
   */
  async stream(model: ResolvedModel, request: ChatCompletionRequest, context: DispatchContext): Promise<StartedStream> {
    const native = nativeBodyOf(request);
    const dispatched = await this.dispatcher.dispatch(
      model,
      context,
      async (deployment, options): Promise<ChunkStream | NativeEventStream> => {
        const nativeStream = native && (await streamNatively(deployment, native, options));
        if (nativeStream) return nativeStream;
        const stream = await deployment.provider.streamChat(request, options);
        if (!isRelayable(stream)) return peekFirst(stream);
        await stream.started;
        return stream;
      },
      { holdOpen: true },
    );
    if (isNativeEventStream(dispatched.value)) return { ...startedNative(dispatched, dispatched.value), model: dispatched.model, deployment: dispatched.deployment };
    const result = dispatched as Dispatched<ChunkStream>;
    const stream = result.value;
    const relay = isRelayable(stream) ? releasedRelay(result, stream) : undefined;
    return { chunks: releasedWhenDone(result, result.value, recordChunkTokens(result)), relay, model: result.model, deployment: result.deployment };
  }
}

function releasedRelay(result: Dispatched<ChunkStream>, stream: RelayableChunkStream): StreamRelay {
  return {
    start(sink) {
      stream.relay({
        payloads: (batch, raw) => sink.payloads(batch, raw),
        end() {
          result.release();
          sink.end();
        },
        error(error) {
          result.release(error);
          sink.error(error);
        },
      });
    },
    resume: () => stream.resume(),
    cancel() {
      stream.cancel();
      result.release();
    },
    recordTokens: (tokens) => result.recordTokens(tokens),
  };
}

/**
 * Relays a dispatched stream and tells the reliability layer how it ended: the deployment's
 * in-flight count, half-open probe and failure count cover the whole stream, not just its start.
 * `observe` sees each item on its way (token counts for the deployment's tpm).
 */
export async function* releasedWhenDone<T>(result: Dispatched<unknown>, items: AsyncIterable<T>, observe?: (item: T) => void): AsyncGenerator<T> {
  try {
    for await (const item of items) {
      observe?.(item);
      yield item;
    }
    result.release();
  } catch (error) {
    result.release(error);
    throw error;
  } finally {
    // The consumer stopped early (client gone): not the deployment's fault.
    result.release();
  }
}

/** Counts a stream's reported usage against its deployment's tokens per minute. */
export function recordChunkTokens(result: Dispatched<unknown>): (chunk: ChatCompletionChunk) => void {
  return (chunk) => {
    if (chunk.usage) result.recordTokens((chunk.usage.prompt_tokens ?? 0) + (chunk.usage.completion_tokens ?? 0));
  };
}
