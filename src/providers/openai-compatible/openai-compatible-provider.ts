/**
 * The shared base for every server that speaks OpenAI's Chat Completions API: OpenAI itself,
 * Azure OpenAI, vLLM, Ollama, Groq, Together… Requests pass through nearly untouched; the only
 * changes are the upstream model id and, for streams, asking for usage so cost is exact.
 */
import type { ChatCompletion, ChatCompletionRequest, EmbeddingsRequest, EmbeddingsResponse } from '../../protocol/chat-types.js';
import type { CallOptions, ChatProvider, ProviderDeployment } from '../provider.js';
import { readJsonBody, sendUpstream, type SendOptions } from '../shared/http-client.js';
import { embeddingsLimits } from '../shared/upstream-limits.js';
import { OpenAIChunkStream } from './openai-chunk-stream.js';
import { mapOpenAIError } from './error-mapping.js';
import { UpstreamMalformedResponseError } from '../../errors/index.js';

export class OpenAICompatibleProvider implements ChatProvider {
  readonly deployment: ProviderDeployment;
  private readonly baseUrl: string;
  private callHeaders: Record<string, string> | undefined;
  private readonly chatCompletionsUrl: string;

  constructor(deployment: ProviderDeployment) {
    this.deployment = deployment;
    this.baseUrl = deployment.baseUrl.replace(/\/+$/, '');
    this.chatCompletionsUrl = this.url('/chat/completions');
  }

  /** Headers for every call; Azure-style deployments override this to send `api-key`. */
  protected headers(): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...this.deployment.headers };
    if (this.deployment.apiKey) headers.authorization = `Bearer ${this.deployment.apiKey}`;
    return headers;
  }

  protected url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /** The outgoing body: the client's request with the deployment's model. */
  buildChatBody(request: ChatCompletionRequest, stream: boolean): ChatCompletionRequest {
    const body: ChatCompletionRequest = { ...request, model: this.deployment.model };
    if (stream) {
      body.stream = true;
      // Always ask for usage: the gateway prices every stream. The chunk is dropped later when
      // the client did not ask for it.
      body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
    } else {
      delete body.stream;
      delete body.stream_options;
    }
    return body;
  }

  private sendOptions(options: CallOptions, body: unknown): SendOptions {
    // The same for every call of this deployment; undici copies them and never changes them.
    this.callHeaders ??= this.headers();
    return { timeouts: options.timeouts, signal: options.signal, limits: options.limits, traceparent: options.traceparent, provider: this.deployment.provider, headers: this.callHeaders, body: JSON.stringify(body) };
  }

  async chat(request: ChatCompletionRequest, options: CallOptions): Promise<ChatCompletion> {
    const send = this.sendOptions(options, this.buildChatBody(request, false));
    const response = await sendUpstream(this.chatCompletionsUrl, send);
    if (response.status >= 400) throw await mapOpenAIError(response, this.deployment.provider);
    const completion = await readJsonBody<ChatCompletion>(response, send);
    if (!completion || !Array.isArray(completion.choices)) {
      throw new UpstreamMalformedResponseError(this.deployment.provider, 'no choices in the completion');
    }
    return completion;
  }

  async streamChat(request: ChatCompletionRequest, options: CallOptions): Promise<OpenAIChunkStream> {
    const send = this.sendOptions(options, this.buildChatBody(request, true));
    const response = await sendUpstream(this.chatCompletionsUrl, send);
    if (response.status >= 400) throw await mapOpenAIError(response, this.deployment.provider);
    return new OpenAIChunkStream(response.body, send);
  }

  async embed(request: EmbeddingsRequest, options: CallOptions): Promise<EmbeddingsResponse> {
    const send = this.sendOptions({ ...options, limits: embeddingsLimits(options.limits) }, { ...request, model: this.deployment.model });
    const response = await sendUpstream(this.url('/embeddings'), send);
    if (response.status >= 400) throw await mapOpenAIError(response, this.deployment.provider);
    return readJsonBody<EmbeddingsResponse>(response, send);
  }
}
