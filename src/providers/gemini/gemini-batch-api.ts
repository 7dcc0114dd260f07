/**
 * Gemini's batch mode behind the batch contract (providers/batch-api.ts):
 * `POST /v1beta/models/{model}:batchGenerateContent` with the requests inlined (each a
 * `GenerateContentRequest` mapped from the OpenAI request as for a live call, its custom id in
 * `metadata.key`), `GET /v1beta/batches/{id}` (a long-running Operation) until it is `done`,
 * then each inlined response mapped back to an OpenAI completion.
 *
 * Google documents two envelopes for the answers: the Operation's `response` (a
 * `GenerateContentBatchOutput`) and `metadata.output` of the `GenerateContentBatch`; both are
 * read. States come as `BATCH_STATE_*` in the API reference and `JOB_STATE_*` in the guide.
 * Inlined requests are limited to 20 MB per batch by Google; the gateway's batch file limit
 * (docs/batch.md) is below that.
 */
import { randomUUID } from 'node:crypto';
import { UpstreamMalformedResponseError } from '../../errors/index.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { BatchApi, BatchCallOptions, BatchEndpoint, NativeBatchRequest, NativeBatchResult, SubmittedBatch } from '../batch-api.js';
import type { ProviderDeployment } from '../provider.js';
import { readJsonBody, sendUpstream, type SendOptions } from '../shared/http-client.js';
import { mapGeminiError } from './error-mapping.js';
import { GEMINI_API_VERSION, GEMINI_BASE_URL } from './gemini-provider.js';
import type { GeminiResponse } from './gemini-types.js';
import { buildGeminiRequest } from './request-mapping.js';
import { mapGeminiResponse } from './response-mapping.js';

interface GoogleStatus {
  code?: number;
  message?: string;
  status?: string;
}

interface InlinedResponse {
  metadata?: { key?: unknown };
  response?: GeminiResponse;
  error?: GoogleStatus;
}

type InlinedResponses = { inlinedResponses?: InlinedResponse[] } | InlinedResponse[];

interface BatchOperation {
  name?: string;
  done?: boolean;
  error?: GoogleStatus;
  metadata?: { state?: string; output?: { inlinedResponses?: InlinedResponses } };
  response?: { inlinedResponses?: InlinedResponses; responsesFile?: string };
}

const ENDED_STATES = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED']);

/** gRPC codes (google.rpc.Code) a `Status` carries, as the HTTP status Google maps each to. */
const HTTP_STATUS_BY_CODE: Readonly<Record<number, number>> = {
  1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401,
};

export class GeminiBatchApi implements BatchApi {
  readonly endpoints: readonly BatchEndpoint[] = ['/v1/chat/completions'];
  private readonly apiUrl: string;
  private readonly model: string;

  constructor(private readonly deployment: ProviderDeployment) {
    this.model = deployment.model.replace(/^models\//, '');
    this.apiUrl = `${(deployment.baseUrl || GEMINI_BASE_URL).replace(/\/+$/, '')}/${deployment.apiVersion ?? GEMINI_API_VERSION}`;
  }

  async submit(_endpoint: BatchEndpoint, requests: readonly NativeBatchRequest[], options: BatchCallOptions): Promise<SubmittedBatch> {
    const body = {
      batch: {
        displayName: options.label ?? 'switchboard batch',
        inputConfig: {
          requests: {
            requests: requests.map(({ customId, request }) => ({ request: buildGeminiRequest(request as ChatCompletionRequest), metadata: { key: customId } })),
          },
        },
      },
    };
    const operation = await this.call('POST', `${this.apiUrl}/models/${encodeURIComponent(this.model)}:batchGenerateContent`, options, JSON.stringify(body));
    if (typeof operation.name !== 'string' || !operation.name.startsWith('batches/')) {
      throw new UpstreamMalformedResponseError(this.deployment.provider, 'the batch operation has no batches/… name');
    }
    return { id: operation.name };
  }

  async status(batchId: string, options: BatchCallOptions): Promise<'running' | 'ended'> {
    const operation = await this.call('GET', this.batchUrl(batchId), options);
    return isEnded(operation) ? 'ended' : 'running';
  }

  async results(batchId: string, options: BatchCallOptions, requests: ReadonlyMap<string, NativeBatchRequest['request']>): Promise<NativeBatchResult[]> {
    const operation = await this.call('GET', this.batchUrl(batchId), options);
    const answers = inlinedResponses(operation);
    const customIds = [...requests.keys()];
    const created = Math.floor(Date.now() / 1000);
    const results = new Map<string, NativeBatchResult>();
    answers.forEach((answer, index) => {
      // Answers come in the order of the requests; the key is the surer link when present.
      const customId = typeof answer.metadata?.key === 'string' ? answer.metadata.key : customIds[index];
      if (customId === undefined || !requests.has(customId)) return;
      results.set(customId, resultOf(customId, answer, created, this.model));
    });
    const unanswered = unansweredResult(operation);
    return customIds.map((customId) => results.get(customId) ?? { customId, ...unanswered });
  }

  async cancel(batchId: string, options: BatchCallOptions): Promise<void> {
    await this.call('POST', `${this.batchUrl(batchId)}:cancel`, options, '');
  }

  private batchUrl(batchId: string): string {
    const id = batchId.replace(/^batches\//, '');
    return `${this.apiUrl}/batches/${encodeURIComponent(id)}`;
  }

  private async call(method: 'GET' | 'POST', url: string, options: BatchCallOptions, body?: string): Promise<BatchOperation> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...this.deployment.headers };
    if (this.deployment.apiKey) headers['x-goog-api-key'] = this.deployment.apiKey;
    const send: SendOptions = { timeouts: options.timeouts, provider: this.deployment.provider, method, headers, body };
    const response = await sendUpstream(url, send);
    if (response.status >= 400) throw await mapGeminiError(response, this.deployment.provider);
    const operation = await readJsonBody<BatchOperation>(response, send);
    if (!operation || typeof operation !== 'object') throw new UpstreamMalformedResponseError(this.deployment.provider, 'the batch operation is not a JSON object');
    return operation;
  }
}

function stateOf(operation: BatchOperation): string | undefined {
  return operation.metadata?.state?.replace(/^(BATCH|JOB)_STATE_/, '');
}

function isEnded(operation: BatchOperation): boolean {
  const state = stateOf(operation);
  return operation.done === true || (state !== undefined && ENDED_STATES.has(state));
}

function inlinedResponses(operation: BatchOperation): InlinedResponse[] {
  const lists = [operation.response?.inlinedResponses, operation.metadata?.output?.inlinedResponses];
  for (const list of lists) {
    if (Array.isArray(list)) return list;
    if (list && Array.isArray(list.inlinedResponses)) return list.inlinedResponses;
  }
  return [];
}

function resultOf(customId: string, answer: InlinedResponse, created: number, model: string): NativeBatchResult {
  if (answer.response && typeof answer.response === 'object') {
    const body = mapGeminiResponse(answer.response, { created, model, createId: () => `call_${randomUUID().replace(/-/g, '').slice(0, 24)}` });
    return { customId, kind: 'succeeded', body, requestId: null };
  }
  return { customId, kind: 'failed', ...failureOf(answer.error) };
}

function failureOf(error: GoogleStatus | undefined): Omit<Extract<NativeBatchResult, { kind: 'failed' }>, 'customId' | 'kind'> {
  const code = error?.code;
  // Inlined errors carry a gRPC code; some proxies put the HTTP status there instead.
  const status = typeof code === 'number' ? (code >= 100 ? code : (HTTP_STATUS_BY_CODE[code] ?? 500)) : 500;
  return {
    status,
    error: { message: error?.message ?? 'The request failed.', type: status < 500 ? 'invalid_request_error' : 'api_error', code: error?.status ?? null },
    requestId: null,
  };
}

/** What a request with no inlined answer gets: the batch's own failure, or cancelled / expired. */
function unansweredResult(operation: BatchOperation): Omit<Extract<NativeBatchResult, { kind: 'failed' }>, 'customId'> {
  const state = stateOf(operation);
  if (state === 'CANCELLED') return { kind: 'failed', status: null, error: { message: 'The request was cancelled before it ran.', type: 'api_error', code: 'batch_cancelled' }, requestId: null };
  if (state === 'EXPIRED') return { kind: 'failed', status: null, error: { message: 'The request could not be executed before the completion window expired.', type: 'api_error', code: 'batch_expired' }, requestId: null };
  return { kind: 'failed', ...failureOf(operation.error ?? { code: 13, message: 'The provider returned no answer for this request.' }) };
}
