/**
 * OpenAI's Batch API behind the batch contract (providers/batch-api.ts): the requests go up as a
 * JSONL file (`POST /files`, purpose `batch`), a batch is created on it (`POST /batches`), polled
 * (`GET /batches/{id}`), and its output and error files are read back (`GET /files/{id}/content`).
 * Any server that implements the same endpoints (Azure OpenAI's batch deployments do) works too.
 */
import { randomBytes } from 'node:crypto';
import { UpstreamMalformedResponseError } from '../../errors/index.js';
import type { ChatCompletion, EmbeddingsResponse } from '../../protocol/chat-types.js';
import type { BatchApi, BatchCallOptions, BatchEndpoint, NativeBatchRequest, NativeBatchResult, SubmittedBatch } from '../batch-api.js';
import type { ProviderDeployment } from '../provider.js';
import { readJsonBody, sendUpstream, type SendOptions, type UpstreamResponse } from '../shared/http-client.js';
import { mapNetworkError } from '../../errors/index.js';
import { mapOpenAIError } from './error-mapping.js';

/** The fields of OpenAI's batch object this client reads. */
interface OpenAIBatchObject {
  id: string;
  status: string;
  output_file_id?: string | null;
  error_file_id?: string | null;
}

/** One line of an output or error file. */
interface OpenAIBatchOutputLine {
  custom_id: string;
  response?: { status_code: number; request_id?: string; body: unknown } | null;
  error?: { code?: string | null; message?: string } | null;
}

const ENDED = new Set(['completed', 'failed', 'expired', 'cancelled']);

export class OpenAIBatchApi implements BatchApi {
  readonly endpoints: readonly BatchEndpoint[] = ['/v1/chat/completions', '/v1/embeddings'];
  private readonly baseUrl: string;

  constructor(private readonly deployment: ProviderDeployment) {
    this.baseUrl = deployment.baseUrl.replace(/\/+$/, '');
  }

  async submit(endpoint: BatchEndpoint, requests: readonly NativeBatchRequest[], options: BatchCallOptions): Promise<SubmittedBatch> {
    const lines = requests.map(({ customId, request }) => JSON.stringify({ custom_id: customId, method: 'POST', url: endpoint, body: { ...request, model: this.deployment.model } }));
    const boundary = `switchboard-${randomBytes(12).toString('hex')}`;
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="switchboard-batch.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n` +
      `${lines.join('\n')}\n\r\n--${boundary}--\r\n`;
    const file = await this.call<{ id: string }>('POST', '/files', options, body, `multipart/form-data; boundary=${boundary}`);
    const batch = await this.call<OpenAIBatchObject>(
      'POST',
      '/batches',
      options,
      JSON.stringify({ input_file_id: file.id, endpoint, completion_window: '24h', ...(options.label ? { metadata: { switchboard_batch: options.label } } : {}) }),
    );
    return { id: batch.id, fileId: file.id };
  }

  async status(batchId: string, options: BatchCallOptions): Promise<'running' | 'ended'> {
    const batch = await this.call<OpenAIBatchObject>('GET', `/batches/${encodeURIComponent(batchId)}`, options);
    return ENDED.has(batch.status) ? 'ended' : 'running';
  }

  async results(batchId: string, options: BatchCallOptions): Promise<NativeBatchResult[]> {
    const batch = await this.call<OpenAIBatchObject>('GET', `/batches/${encodeURIComponent(batchId)}`, options);
    const results: NativeBatchResult[] = [];
    for (const fileId of [batch.output_file_id, batch.error_file_id]) {
      if (!fileId) continue;
      const text = await this.text(`/files/${encodeURIComponent(fileId)}/content`, options);
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        results.push(resultOf(parseLine(line, this.deployment.provider)));
      }
    }
    return results;
  }

  async cancel(batchId: string, options: BatchCallOptions): Promise<void> {
    await this.call('POST', `/batches/${encodeURIComponent(batchId)}/cancel`, options, '');
  }

  private headers(contentType?: string): Record<string, string> {
    const headers: Record<string, string> = { ...this.deployment.headers };
    if (contentType) headers['content-type'] = contentType;
    if (this.deployment.apiKey) headers.authorization = `Bearer ${this.deployment.apiKey}`;
    return headers;
  }

  private async send(method: 'GET' | 'POST', path: string, options: BatchCallOptions, body?: string, contentType = 'application/json'): Promise<{ response: UpstreamResponse; send: SendOptions }> {
    const send: SendOptions = { timeouts: options.timeouts, provider: this.deployment.provider, method, headers: this.headers(body === undefined ? undefined : contentType), body };
    const response = await sendUpstream(`${this.baseUrl}${path}`, send);
    if (response.status >= 400) throw await mapOpenAIError(response, this.deployment.provider);
    return { response, send };
  }

  private async call<T>(method: 'GET' | 'POST', path: string, options: BatchCallOptions, body?: string, contentType?: string): Promise<T> {
    const { response, send } = await this.send(method, path, options, body, contentType);
    return readJsonBody<T>(response, send);
  }

  private async text(path: string, options: BatchCallOptions): Promise<string> {
    const { response, send } = await this.send('GET', path, options);
    try {
      return await response.body.text();
    } catch (error) {
      throw mapNetworkError(error, send);
    }
  }
}

function parseLine(line: string, provider: string): OpenAIBatchOutputLine {
  try {
    const parsed = JSON.parse(line) as OpenAIBatchOutputLine;
    if (typeof parsed.custom_id === 'string') return parsed;
  } catch {
    // reported below
  }
  throw new UpstreamMalformedResponseError(provider, 'a batch output line is not JSON with a custom_id');
}

function resultOf(line: OpenAIBatchOutputLine): NativeBatchResult {
  const requestId = line.response?.request_id ?? null;
  if (line.response && line.response.status_code < 400) {
    return { customId: line.custom_id, kind: 'succeeded', body: line.response.body as ChatCompletion | EmbeddingsResponse, requestId };
  }
  if (line.response) {
    const error = (line.response.body as { error?: { message?: string; type?: string; code?: string | null } } | null)?.error;
    return {
      customId: line.custom_id,
      kind: 'failed',
      status: line.response.status_code,
      error: { message: error?.message ?? `HTTP ${line.response.status_code}`, type: error?.type ?? 'api_error', code: error?.code ?? null },
      requestId,
    };
  }
  return {
    customId: line.custom_id,
    kind: 'failed',
    status: null,
    error: { message: line.error?.message ?? 'The request was not run.', type: 'api_error', code: line.error?.code ?? null },
    requestId: null,
  };
}
