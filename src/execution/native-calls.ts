/**
 * One deployment call for a request that carries its client's own body (protocol/native-body.ts):
 * a deployment that speaks that protocol gets the body as it is; any other gets the canonical
 * request, translated by its provider, unless the body uses something translation cannot carry,
 * in which case the call is refused with a 400 naming it (not retried: no deployment of that
 * kind could serve it). A refusal before any upstream call costs nothing.
 */
import { UntranslatableFeatureError } from '../errors/index.js';
import type { ResolvedDeployment } from '../models/model-registry.js';
import { rememberNativeMessage, type NativeBody } from '../protocol/native-body.js';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../protocol/chat-types.js';
import type { ServerSentEvent } from '../providers/shared/sse-parser.js';
import { speaksAnthropicMessages, type CallOptions, type NativeEventStream } from '../providers/provider.js';
import type { Dispatched } from '../reliability/dispatcher.js';
import { recordChunkTokens, releasedWhenDone } from './chat-executor.js';

/** A whole answer: the native message is remembered beside the completion for the surface. */
export async function completeNatively(deployment: ResolvedDeployment, request: ChatCompletionRequest, native: NativeBody, options: CallOptions): Promise<ChatCompletion> {
  if (speaksAnthropicMessages(deployment.provider)) {
    const { message, completion } = await deployment.provider.createMessage(native.body, { ...options, beta: native.beta });
    return rememberNativeMessage(completion, message);
  }
  refuseUntranslatable(native, deployment);
  return deployment.provider.chat(request, options);
}

/** A native stream, or undefined when this deployment is served through the translated path. */
export async function streamNatively(deployment: ResolvedDeployment, native: NativeBody, options: CallOptions): Promise<NativeEventStream | undefined> {
  if (speaksAnthropicMessages(deployment.provider)) return deployment.provider.streamMessage(native.body, { ...options, beta: native.beta });
  refuseUntranslatable(native, deployment);
  return undefined;
}

function refuseUntranslatable(native: NativeBody, deployment: ResolvedDeployment): void {
  const first = native.untranslatable[0];
  if (first) throw new UntranslatableFeatureError(first, deployment.info.model);
}

export function isNativeEventStream(value: unknown): value is NativeEventStream {
  const candidate = value as Partial<NativeEventStream>;
  return typeof candidate.events === 'function' && typeof candidate.chunks === 'function';
}

/** A started native stream, its events (or chunks) released to the reliability layer as they end. */
export interface NativeStarted {
  chunks: AsyncIterable<ChatCompletionChunk>;
  native: { events: AsyncIterable<ServerSentEvent>; recordTokens(tokens: number): void };
}

/**
 * Both views of a native stream; the first one iterated claims it. The deployment's in-flight
 * count and verdict cover the whole stream, as for translated streams.
 */
export function startedNative(result: Dispatched<unknown>, stream: NativeEventStream): NativeStarted {
  return {
    chunks: lazily(() => releasedWhenDone(result, stream.chunks(), recordChunkTokens(result))),
    native: { events: lazily(() => releasedWhenDone(result, stream.events())), recordTokens: (tokens) => result.recordTokens(tokens) },
  };
}

function lazily<T>(open: () => AsyncIterable<T>): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: () => open()[Symbol.asyncIterator]() };
}

