/**
 * Anthropic's Message Batches API behind the batch contract (providers/batch-api.ts):
 * `POST /v1/messages/batches` with each request's Messages params (mapped from the OpenAI
 * request as for a live call), `GET /v1/messages/batches/{id}` until `processing_status` is
 * `ended`, then the JSONL at `results_url`, each result mapped back to an OpenAI completion.
 */
import { UpstreamMalformedResponseError, mapNetworkError } from '../../errors/index.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { AnthropicResponse } from '../../protocol/anthropic-messages-types.js';
import type { BatchApi, BatchCallOptions, BatchEndpoint, NativeBatchRequest, NativeBatchResult, SubmittedBatch } from '../batch-api.js';
import type { ProviderDeployment } from '../provider.js';
import { readJsonBody, sendUpstream, type SendOptions, type UpstreamResponse } from '../shared/http-client.js';
import { ANTHROPIC_API_VERSION, ANTHROPIC_BASE_URL } from './anthropic-provider.js';
import { mapAnthropicError } from './error-mapping.js';
import { buildAnthropicRequest } from './request-mapping.js';
import { mapAnthropicResponse } from './response-mapping.js';
import { isJsonMode } from './tool-mapping.js';

interface MessageBatch {
  id: string;
  processing_status: 'in_progress' | 'canceling' | 'ended';
  results_url: string | null;
}

interface MessageBatchResultLine {
  custom_id: string;
  result:
    | { type: 'succeeded'; message: AnthropicResponse }
    | { type: 'errored'; error: { type?: string; error?: { type?: string; message?: string }; request_id?: string } }
    | { type: 'canceled' }
    | { type: 'expired' };
}

/** Status Anthropic uses for each error type, as in error-mapping.ts. */
const STATUS_BY_ERROR_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

export class AnthropicMessageBatchesApi implements BatchApi {
  readonly endpoints: readonly BatchEndpoint[] = ['/v1/chat/completions'];
  private readonly batchesUrl: string;

  constructor(private readonly deployment: ProviderDeployment) {
    this.batchesUrl = `${(deployment.baseUrl || ANTHROPIC_BASE_URL).replace(/\/+$/, '')}/v1/messages/batches`;
  }

  async submit(_endpoint: BatchEndpoint, requests: readonly NativeBatchRequest[], options: BatchCallOptions): Promise<SubmittedBatch> {
    const body = {
      requests: requests.map(({ customId, request }) => {
        return { custom_id: customId, params: buildAnthropicRequest(request as ChatCompletionRequest, this.deployment.model, false) };
      }),
    };
    const batch = await this.call<MessageBatch>('POST', this.batchesUrl, options, JSON.stringify(body));
    return { id: batch.id };
  }

  async status(batchId: string, options: BatchCallOptions): Promise<'running' | 'ended'> {
    const batch = await this.call<MessageBatch>('GET', `${this.batchesUrl}/${encodeURIComponent(batchId)}`, options);
    return batch.processing_status === 'ended' ? 'ended' : 'running';
  }

  async results(batchId: string, options: BatchCallOptions, requests: ReadonlyMap<string, NativeBatchRequest['request']>): Promise<NativeBatchResult[]> {
    const batch = await this.call<MessageBatch>('GET', `${this.batchesUrl}/${encodeURIComponent(batchId)}`, options);
    const url = batch.results_url ?? `${this.batchesUrl}/${encodeURIComponent(batchId)}/results`;
    const { response, send } = await this.send('GET', url, options);
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw mapNetworkError(error, send);
    }
    const created = Math.floor(Date.now() / 1000);
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => resultOf(parseLine(line, this.deployment.provider), created, requests));
  }

  async cancel(batchId: string, options: BatchCallOptions): Promise<void> {
    await this.call('POST', `${this.batchesUrl}/${encodeURIComponent(batchId)}/cancel`, options, '');
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': this.deployment.apiVersion ?? ANTHROPIC_API_VERSION, ...this.deployment.headers };
    if (this.deployment.apiKey) headers['x-api-key'] = this.deployment.apiKey;
    return headers;
  }

  private async send(method: 'GET' | 'POST', url: string, options: BatchCallOptions, body?: string): Promise<{ response: UpstreamResponse; send: SendOptions }> {
    const send: SendOptions = { timeouts: options.timeouts, provider: this.deployment.provider, method, headers: this.headers(), body };
    const response = await sendUpstream(url, send);
    if (response.status >= 400) throw await mapAnthropicError(response, this.deployment.provider);
    return { response, send };
  }

  private async call<T>(method: 'GET' | 'POST', url: string, options: BatchCallOptions, body?: string): Promise<T> {
    const { response, send } = await this.send(method, url, options, body);
    return readJsonBody<T>(response, send);
  }
}

function parseLine(line: string, provider: string): MessageBatchResultLine {
  try {
    const parsed = JSON.parse(line) as MessageBatchResultLine;
    if (typeof parsed.custom_id === 'string' && parsed.result && typeof parsed.result.type === 'string') return parsed;
  } catch {
    // reported below
  }
  throw new UpstreamMalformedResponseError(provider, 'a message batch result line is not JSON with a custom_id and result');
}

/** A result line as an OpenAI-shaped answer; a JSON-mode request's answer is its forced tool's input, as for a live call. */
function resultOf(line: MessageBatchResultLine, created: number, requests: ReadonlyMap<string, NativeBatchRequest['request']>): NativeBatchResult {
  const { result } = line;
  if (result.type === 'succeeded') {
    const request = requests.get(line.custom_id) as ChatCompletionRequest | undefined;
    return { customId: line.custom_id, kind: 'succeeded', body: mapAnthropicResponse(result.message, { created, jsonMode: request ? isJsonMode(request) : false }), requestId: null };
  }
  if (result.type === 'errored') {
    const type = result.error?.error?.type ?? 'api_error';
    return {
      customId: line.custom_id,
      kind: 'failed',
      status: STATUS_BY_ERROR_TYPE[type] ?? 500,
      error: { message: result.error?.error?.message ?? 'The request failed.', type: type === 'overloaded_error' ? 'api_error' : type, code: null },
      requestId: result.error?.request_id ?? null,
    };
  }
  const message = result.type === 'canceled' ? 'The request was cancelled before it ran.' : 'The request could not be executed before the completion window expired.';
  return { customId: line.custom_id, kind: 'failed', status: null, error: { message, type: 'api_error', code: result.type === 'canceled' ? 'batch_cancelled' : 'batch_expired' }, requestId: null };
}
