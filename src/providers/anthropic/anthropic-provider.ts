/**
 * Anthropic's Messages API (`POST {base_url}/v1/messages`) behind the provider contract. The
 * upstream URL and headers live here; each translation has its own module.
 */
import { GatewayError, UpstreamMalformedResponseError } from '../../errors/index.js';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, EmbeddingsResponse } from '../../protocol/chat-types.js';
import type { CallOptions, ChatProvider, ProviderDeployment } from '../provider.js';
import { readJsonBody, sendUpstream, type SendOptions, type UpstreamResponse } from '../shared/http-client.js';
import { parseEventJson, readServerSentEvents } from '../shared/sse-parser.js';
import type { AnthropicResponse, AnthropicStreamEvent } from './anthropic-types.js';
import { mapAnthropicError } from './error-mapping.js';
import { buildAnthropicRequest } from './request-mapping.js';
import { defaultMaxTokens } from './output-limits.js';
import { mapAnthropicResponse } from './response-mapping.js';
import { AnthropicStreamMapper } from './stream-mapping.js';
import { isJsonMode } from './tool-mapping.js';

/** The API version the mappings are written against; `api_version` in config overrides it. */
export const ANTHROPIC_API_VERSION = '2023-06-01';
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

export class AnthropicProvider implements ChatProvider {
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

  private async send(request: ChatCompletionRequest, options: CallOptions, stream: boolean): Promise<{ response: UpstreamResponse; send: SendOptions }> {
    const body = buildAnthropicRequest(request, this.deployment.model, stream);
    const send: SendOptions = { ...options, provider: this.deployment.provider, headers: this.headers(), body: JSON.stringify(body) };
    const response = await sendUpstream(this.messagesUrl, send);
    if (response.status >= 400) throw await mapAnthropicError(response, this.deployment.provider);
    return { response, send };
  }

  async chat(request: ChatCompletionRequest, options: CallOptions): Promise<ChatCompletion> {
    const { response, send } = await this.send(request, options, false);
    const message = await readJsonBody<AnthropicResponse>(response, send);
    if (!message || !Array.isArray(message.content)) {
      throw new UpstreamMalformedResponseError(this.deployment.provider, 'no content in the message');
    }
    return mapAnthropicResponse(message, { created: nowSeconds(), jsonMode: isJsonMode(request) });
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
