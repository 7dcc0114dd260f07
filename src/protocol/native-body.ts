/**
 * A request's own body beside the canonical one, for a same-protocol pass-through: a
 * `/v1/messages` body goes to an Anthropic deployment as the client wrote it (thinking blocks,
 * signatures, server tools, beta fields), not through a lossy round trip via OpenAI's format.
 *
 * The body is keyed by the request object. A stage that rewrites the request replaces the object
 * (pipeline/chat-exchange.ts), so a rewritten request has no native body and is translated: the
 * change is never lost to a stale original. The native answer is kept beside its OpenAI view the
 * same way, so pricing and the log read the completion while the surface sends the native message.
 */
import type { UntranslatableFeature } from '../errors/index.js';
import type { AnthropicMessagesBody, AnthropicResponse } from './anthropic-messages-types.js';
import type { ChatCompletion, ChatCompletionRequest } from './chat-types.js';

export interface NativeBody {
  /** The inbound API; only Anthropic Messages has a native path today. */
  protocol: 'anthropic-messages';
  body: AnthropicMessagesBody;
  /** The client's `anthropic-beta` header, passed on. */
  beta?: string;
  /** What the canonical request leaves out; a call to any other upstream refuses the request. */
  untranslatable: readonly UntranslatableFeature[];
}

const nativeBodies = new WeakMap<ChatCompletionRequest, NativeBody>();
const nativeMessages = new WeakMap<ChatCompletion, AnthropicResponse>();

export function attachNativeBody(request: ChatCompletionRequest, native: NativeBody): void {
  nativeBodies.set(request, native);
}

export function nativeBodyOf(request: ChatCompletionRequest): NativeBody | undefined {
  return nativeBodies.get(request);
}

/** Keeps the upstream's own message beside the completion it was mapped to. */
export function rememberNativeMessage(completion: ChatCompletion, message: AnthropicResponse): ChatCompletion {
  nativeMessages.set(completion, message);
  return completion;
}

export function nativeMessageOf(completion: ChatCompletion): AnthropicResponse | undefined {
  return nativeMessages.get(completion);
}
