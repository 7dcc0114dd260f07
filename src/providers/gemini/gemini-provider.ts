/**
 * The Gemini API (`generateContent`, `streamGenerateContent?alt=sse`, `batchEmbedContents`)
 * behind the provider contract. The upstream URLs and headers live here; each translation has
 * its own module.
 */
import { randomUUID } from 'node:crypto';
import { UpstreamMalformedResponseError } from '../../errors/index.js';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, EmbeddingsRequest, EmbeddingsResponse } from '../../protocol/chat-types.js';
import type { CallOptions, ChatProvider, ProviderDeployment } from '../provider.js';
import { readJsonBody, sendUpstream, type SendOptions, type UpstreamResponse } from '../shared/http-client.js';
import { parseEventJson, readServerSentEvents } from '../shared/sse-parser.js';
import { embeddingsLimits } from '../shared/upstream-limits.js';
import { buildBatchEmbedRequest, mapBatchEmbedResponse } from './embedding-mapping.js';
import { mapGeminiError } from './error-mapping.js';
import type { GeminiBatchEmbedResponse, GeminiResponse } from './gemini-types.js';
import { buildGeminiRequest } from './request-mapping.js';
import { mapGeminiResponse } from './response-mapping.js';
import { GeminiStreamMapper } from './stream-mapping.js';

export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';
/** The API version in the path; `api_version` in config overrides it (e.g. `v1`). */
export const GEMINI_API_VERSION = 'v1beta';

export class GeminiProvider implements ChatProvider {
  readonly deployment: ProviderDeployment;
  private readonly modelUrl: string;
  private readonly model: string;

  constructor(deployment: ProviderDeployment) {
    this.deployment = deployment;
    // Accept both `gemini-2.5-flash` and the resource name `models/gemini-2.5-flash`.
    this.model = deployment.model.replace(/^models\//, '');
    const baseUrl = (deployment.baseUrl || GEMINI_BASE_URL).replace(/\/+$/, '');
    this.modelUrl = `${baseUrl}/${deployment.apiVersion ?? GEMINI_API_VERSION}/models/${encodeURIComponent(this.model)}`;
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...this.deployment.headers };
    if (this.deployment.apiKey) headers['x-goog-api-key'] = this.deployment.apiKey;
    return headers;
  }

  private async post(method: string, body: unknown, options: CallOptions): Promise<{ response: UpstreamResponse; send: SendOptions }> {
    const send: SendOptions = { ...options, provider: this.deployment.provider, headers: this.headers(), body: JSON.stringify(body) };
    const response = await sendUpstream(`${this.modelUrl}:${method}`, send);
    if (response.status >= 400) throw await mapGeminiError(response, this.deployment.provider);
    return { response, send };
  }

  async chat(request: ChatCompletionRequest, options: CallOptions): Promise<ChatCompletion> {
    const { response, send } = await this.post('generateContent', buildGeminiRequest(request), options);
    const generated = await readJsonBody<GeminiResponse>(response, send);
    if (!generated || typeof generated !== 'object' || (!Array.isArray(generated.candidates) && !generated.promptFeedback)) {
      throw new UpstreamMalformedResponseError(this.deployment.provider, 'no candidates in the response');
    }
    return mapGeminiResponse(generated, { created: nowSeconds(), model: this.model, createId: toolCallId });
  }

  async streamChat(request: ChatCompletionRequest, options: CallOptions): Promise<AsyncIterable<ChatCompletionChunk>> {
    const { response, send } = await this.post('streamGenerateContent?alt=sse', buildGeminiRequest(request), options);
    const mapper = new GeminiStreamMapper({ provider: this.deployment.provider, created: nowSeconds(), model: this.model, createId: toolCallId });
    return this.readChunks(response, send, mapper);
  }

  private async *readChunks(response: UpstreamResponse, send: SendOptions, mapper: GeminiStreamMapper): AsyncGenerator<ChatCompletionChunk> {
    for await (const event of readServerSentEvents(response, send)) {
      const data = parseEventJson<unknown>(event.data);
      if (!data || typeof data !== 'object') throw new UpstreamMalformedResponseError(this.deployment.provider, 'a stream event is not JSON');
      yield* mapper.map(data);
    }
    yield mapper.finish();
  }

  async embed(request: EmbeddingsRequest, options: CallOptions): Promise<EmbeddingsResponse> {
    const { response, send } = await this.post('batchEmbedContents', buildBatchEmbedRequest(request, this.model), { ...options, limits: embeddingsLimits(options.limits) });
    const embedded = await readJsonBody<GeminiBatchEmbedResponse>(response, send);
    return mapBatchEmbedResponse(embedded, request, this.model, this.deployment.provider);
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Gemini gives function calls no id; OpenAI clients need one to answer each call. */
function toolCallId(): string {
  return `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}
