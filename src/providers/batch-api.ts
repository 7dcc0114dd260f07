/**
 * The contract of a provider's own batch API (OpenAI's files + batches, Anthropic's message
 * batches): submit a group of requests, see whether it has ended, read each request's answer,
 * cancel. Requests and answers are in OpenAI's shapes, as for the chat contract; mapping to the
 * provider's own wire format happens in its folder. src/batch drives it and never sees the wire.
 */
import type { ChatCompletion, ChatCompletionRequest, EmbeddingsRequest, EmbeddingsResponse } from '../protocol/chat-types.js';
import type { CallTimeouts, ProviderDeployment } from './provider.js';

export type BatchEndpoint = '/v1/chat/completions' | '/v1/embeddings';

export interface NativeBatchRequest {
  customId: string;
  request: ChatCompletionRequest | EmbeddingsRequest;
}

export interface SubmittedBatch {
  /** The provider's id of the batch. */
  id: string;
  /** OpenAI: the input file uploaded for it. */
  fileId?: string;
}

/** One request's answer, in OpenAI's shapes whatever the provider. */
export type NativeBatchResult =
  | { customId: string; kind: 'succeeded'; body: ChatCompletion | EmbeddingsResponse; requestId: string | null }
  | {
      customId: string;
      kind: 'failed';
      /** The HTTP status the request got, or null when it never ran (cancelled, expired). */
      status: number | null;
      error: { message: string; type: string; code: string | null };
      requestId: string | null;
    };

export interface BatchApi {
  /** Which endpoints this provider's batch API serves. */
  readonly endpoints: readonly BatchEndpoint[];
  submit(endpoint: BatchEndpoint, requests: readonly NativeBatchRequest[], options: BatchCallOptions): Promise<SubmittedBatch>;
  /** 'ended' once every request has an answer (succeeded, failed, cancelled or expired). */
  status(batchId: string, options: BatchCallOptions): Promise<'running' | 'ended'>;
  /** Every request's answer; `requests` are those submitted, by custom id (a mapping may depend on them). */
  results(batchId: string, options: BatchCallOptions, requests: ReadonlyMap<string, NativeBatchRequest['request']>): Promise<NativeBatchResult[]>;
  cancel(batchId: string, options: BatchCallOptions): Promise<void>;
}

export interface BatchCallOptions {
  timeouts: CallTimeouts;
  /** Names the gateway batch upstream (OpenAI metadata), so an operator can match the two. */
  label?: string;
}

export type BatchApiFactory = (deployment: ProviderDeployment) => BatchApi;
