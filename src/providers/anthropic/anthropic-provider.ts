/**
 * Anthropic's Messages API (`POST {base_url}/v1/messages`) behind the provider contract. The
 * upstream URL and headers live here; each translation has its own module.
 *
 * Besides the contract's OpenAI-shaped calls, `createMessage` and `streamMessage` send a client's
 * own Messages body as it is (native-request.ts), for the `/v1/messages` surface's same-protocol
 * pass-through. They return the native answer and, for pricing and for stages that read the
 * canonical form, its OpenAI view.
 */
import { GatewayError, UpstreamMalformedResponseError } from '../../errors/index.js';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, EmbeddingsResponse } from '../../protocol/chat-types.js';
import type { AnthropicMessagesProvider, CallOptions, ChatProvider, NativeCallOptions, NativeEventStream, NativeMessageResult, ProviderDeployment } from '../provider.js';
import { readJsonBody, sendUpstream, type SendOptions, type UpstreamResponse } from '../shared/http-client.js';
import { parseEventJson, readServerSentEvents } from '../shared/sse-parser.js';
import type { AnthropicMessagesBody } from '../../protocol/anthropic-messages-types.js';
import type { AnthropicResponse, AnthropicStreamEvent } from './anthropic-types.js';
import { mapAnthropicError } from './error-mapping.js';
import { buildAnthropicRequest } from './request-mapping.js';
import { defaultMaxTokens } from './output-limits.js';
import { nativeRequestBody, withClientBeta } from './native-request.js';
import { startNativeStream } from './native-stream.js';
import { mapAnthropicResponse } from './response-mapping.js';
import { AnthropicStreamMapper } from './stream-mapping.js';
import { isJsonMode } from './tool-mapping.js';

/** The API version the mappings are written against; `api_version` in config overrides it. */
export const ANTHROPIC_API_VERSION = '2023-06-01';
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

export class AnthropicProvider implements ChatProvider, AnthropicMessagesProvider {
  readonly deployment: ProviderDeployment;
  readonly defaultOutputCeiling: number;
  private readonly messagesUrl: string;

  constructor(deployment: ProviderDeployment) {
    this.deployment = deployment;
    this.defaultOutputCeiling = defaultMaxTokens(deployment.model);
    // Same meaning as the official SDK's baseURL: the host, without `/v1`.
    this.messagesUrl = `${(deployment.baseUrl || ANTHROPIC_BASE_URL).replace(/\/+$/, '')}/v1/messages`;
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'anthropic-version': this.deployment.apiVersion ?? ANTHROPIC_API_VERSION,
      ...this.deployment.headers,
    };
    if (this.deployment.apiKey) headers['x-api-key'] = this.deployment.apiKey;
    return headers;
  }

  private send(request: ChatCompletionRequest, options: CallOptions, stream: boolean): Promise<{ response: UpstreamResponse; send: SendOptions }> {
    return this.post(JSON.stringify(buildAnthropicRequest(request, this.deployment.model, stream)), this.headers(), options);
  }

  private async post(body: string, headers: Record<string, string>, options: CallOptions): Promise<{ response: UpstreamResponse; send: SendOptions }> {
    const send: SendOptions = { timeouts: options.timeouts, signal: options.signal, limits: options.limits, traceparent: options.traceparent, provider: this.deployment.provider, headers, body };
    const response = await sendUpstream(this.messagesUrl, send);
    if (response.status >= 400) throw await mapAnthropicError(response, this.deployment.provider);
    return { response, send };
  }

  async chat(request: ChatCompletionRequest, options: CallOptions): Promise<ChatCompletion> {
    const { response, send } = await this.send(request, options, false);
    const message = await this.readMessage(response, send);
    return mapAnthropicResponse(message, { created: nowSeconds(), jsonMode: isJsonMode(request) });
  }

  /** Sends a client's Messages body as it is (the deployment's model, key, version and headers) and returns the message. */
  async createMessage(body: AnthropicMessagesBody, options: NativeCallOptions): Promise<NativeMessageResult> {
    const { response, send } = await this.post(nativeRequestBody(body, this.deployment.model, false), withClientBeta(this.headers(), options.beta), options);
    const message = await this.readMessage(response, send);
    return { message, completion: mapAnthropicResponse(message, { created: nowSeconds(), jsonMode: false }) };
  }

  /**
   * Streams a client's Messages body as it is. Resolves once the first event is in, so a
   * deployment that fails before it can still be failed over; see native-stream.ts.
   */
  async streamMessage(body: AnthropicMessagesBody, options: NativeCallOptions): Promise<NativeEventStream> {
    const { response, send } = await this.post(nativeRequestBody(body, this.deployment.model, true), withClientBeta(this.headers(), options.beta), options);
    return startNativeStream(readServerSentEvents(response, send), this.deployment.provider);
  }

  private async readMessage(response: UpstreamResponse, send: SendOptions): Promise<AnthropicResponse> {
    const message = await readJsonBody<AnthropicResponse>(response, send);
    if (!message || !Array.isArray(message.content)) {
      throw new UpstreamMalformedResponseError(this.deployment.provider, 'no content in the message');
    }
    return message;
  }

  async streamChat(request: ChatCompletionRequest, options: CallOptions): Promise<AsyncIterable<ChatCompletionChunk>> {
    const { response, send } = await this.send(request, options, true);
    const mapper = new AnthropicStreamMapper({ provider: this.deployment.provider, created: nowSeconds(), jsonMode: isJsonMode(request) });
    return this.readChunks(response, send, mapper);
  }

  private async *readChunks(response: UpstreamResponse, send: SendOptions, mapper: AnthropicStreamMapper): AsyncGenerator<ChatCompletionChunk> {
    for await (const event of readServerSentEvents(response, send)) {
      // Read on to the end of the body after message_stop rather than break: breaking destroys
      // the body, and undici then closes the keep-alive connection to Anthropic.
      if (mapper.finished) continue;
      const data = parseEventJson<AnthropicStreamEvent>(event.data);
      if (!data || typeof data.type !== 'string') throw new UpstreamMalformedResponseError(this.deployment.provider, 'a stream event is not JSON');
      yield* mapper.map(data);
    }
    if (!mapper.finished) throw new UpstreamMalformedResponseError(this.deployment.provider, 'the stream ended before message_stop');
  }

  async embed(): Promise<EmbeddingsResponse> {
    throw new GatewayError(`Anthropic has no embeddings API, so the model '${this.deployment.model}' cannot serve /v1/embeddings.`, {
      status: 400,
      type: 'invalid_request_error',
      code: 'embeddings_not_supported',
      param: 'model',
    });
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
