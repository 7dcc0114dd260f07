/**
 * The provider contract: the only thing the core knows about an upstream. A provider is bound to
 * one deployment (URL, key, upstream model id) and speaks OpenAI's shapes on both sides; mapping
 * to and from the upstream's own wire format happens inside its folder.
 */
import type {
  ChatCompletion,
  ChatCompletionRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
} from '../protocol/chat-types.js';
import type { AnthropicMessagesBody, AnthropicResponse } from '../protocol/anthropic-messages-types.js';
import type { ChatCompletionChunk } from '../protocol/chat-types.js';
import type { CancelSignal } from '../reliability/cancel-signal.js';
import type { ServerSentEvent } from './shared/sse-parser.js';
import type { ChunkStream } from './chunk-stream.js';
import type { UpstreamLimits } from './shared/upstream-limits.js';

export const PROVIDER_KINDS = ['openai', 'anthropic', 'gemini', 'openai-compatible', 'simulated'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** Limits on one upstream call. All in milliseconds. */
export interface CallTimeouts {
  connectMs: number;
  /** Until the response headers and, for streams, the first chunk. */
  firstTokenMs: number;
  /** The whole call, streaming included. */
  totalMs: number;
}

export interface CallOptions {
  timeouts: CallTimeouts;
  /** Byte bounds on the upstream's body; the defaults when absent (shared/upstream-limits.ts). */
  limits?: UpstreamLimits;
  /** Aborts the upstream call, for example when the client disconnects. */
  signal?: CancelSignal;
  /** The W3C trace context sent upstream as `traceparent` when the request is traced. */
  traceparent?: string;
}

/** A deployment as a provider sees it: everything needed to reach one upstream model. */
export interface ProviderDeployment {
  /** Stable identifier used in logs and health reports, such as `gpt-4o-mini#0`. */
  id: string;
  provider: ProviderKind;
  /** The upstream model id. */
  model: string;
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Provider-specific knobs, such as Anthropic's `anthropic-version`. */
  apiVersion?: string;
}

export interface ChatProvider {
  readonly deployment: ProviderDeployment;
  /**
   * The `max_tokens` this provider sends when a request sets none (Anthropic requires one);
   * undefined when the upstream's own default applies. Budgets reserve up to it.
   */
  readonly defaultOutputCeiling?: number;
  /** One call, one OpenAI-shaped completion. `request.model` is ignored: the deployment's model is used. */
  chat(request: ChatCompletionRequest, options: CallOptions): Promise<ChatCompletion>;
  /**
   * Resolves once the upstream has accepted the stream (status 200, headers read), so errors
   * before the first byte reach the caller as a rejected promise and can be retried elsewhere.
   * The iterable yields OpenAI chunks; the last one carries `usage` when the upstream reports it.
   * It throws a GatewayError if the upstream breaks off mid-stream. OpenAI-format upstreams
   * return a stream that can also be relayed as JSON text (chunk-stream.ts).
   */
  streamChat(request: ChatCompletionRequest, options: CallOptions): Promise<ChunkStream>;
  embed(request: EmbeddingsRequest, options: CallOptions): Promise<EmbeddingsResponse>;
}

export interface NativeCallOptions extends CallOptions {
  /** The client's `anthropic-beta` header, added to the deployment's. */
  beta?: string;
}

/** A native call's answer: the message as the upstream sent it, and its OpenAI view for pricing. */
export interface NativeMessageResult {
  message: AnthropicResponse;
  completion: ChatCompletion;
}

/**
 * A native stream that has started (its first event is in). Read `events()` (the upstream's own
 * events, for a same-protocol relay) or `chunks()` (the same as OpenAI chunks), once.
 */
export interface NativeEventStream {
  events(): AsyncIterable<ServerSentEvent>;
  chunks(): AsyncIterable<ChatCompletionChunk>;
  cancel(): void;
}

/**
 * Optional: a provider whose upstream speaks the Anthropic Messages API serves a `/v1/messages`
 * client's body as it is (same-protocol pass-through) instead of translated through the contract.
 */
export interface AnthropicMessagesProvider {
  createMessage(body: AnthropicMessagesBody, options: NativeCallOptions): Promise<NativeMessageResult>;
  streamMessage(body: AnthropicMessagesBody, options: NativeCallOptions): Promise<NativeEventStream>;
}

export function speaksAnthropicMessages(provider: ChatProvider): provider is ChatProvider & AnthropicMessagesProvider {
  const candidate = provider as Partial<AnthropicMessagesProvider>;
  return typeof candidate.createMessage === 'function' && typeof candidate.streamMessage === 'function';
}
