/**
 * The OpenAI wire objects of the files and batches APIs, built from what the store keeps, and
 * the lines of output and error files. Times go out in seconds, as OpenAI's do.
 */
import { randomBytes } from 'node:crypto';
import type { BatchJob, StoredFile } from './store/batch-records.js';

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

export function newFileId(): string {
  return `file-${randomBytes(12).toString('base64url')}`;
}

export function newBatchId(): string {
  return `batch_${randomBytes(12).toString('hex')}`;
}

export function fileObject(file: StoredFile) {
  return {
    id: file.id,
    object: 'file' as const,
    bytes: file.bytes,
    created_at: seconds(file.createdAt),
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed' as const,
    expires_at: null,
    status_details: null,
  };
}

export function batchObject(job: BatchJob) {
  return {
    id: job.id,
    object: 'batch' as const,
    endpoint: job.endpoint,
    errors: job.errors ? { object: 'list', data: job.errors } : null,
    input_file_id: job.inputFileId,
    completion_window: job.completionWindow,
    status: job.status,
    output_file_id: job.outputFileId,
    error_file_id: job.errorFileId,
    created_at: seconds(job.createdAt),
    in_progress_at: seconds(job.inProgressAt),
    expires_at: seconds(job.expiresAt),
    finalizing_at: seconds(job.finalizingAt),
    completed_at: seconds(job.completedAt),
    failed_at: seconds(job.failedAt),
    expired_at: seconds(job.expiredAt),
    cancelling_at: seconds(job.cancellingAt),
    cancelled_at: seconds(job.cancelledAt),
    request_counts: { total: job.total, completed: job.completed, failed: job.failed },
    usage: {
      input_tokens: job.promptTokens,
      input_tokens_details: { cached_tokens: job.cachedTokens },
      output_tokens: job.completionTokens,
      output_tokens_details: { reasoning_tokens: job.reasoningTokens },
      total_tokens: job.promptTokens + job.completionTokens,
    },
    metadata: job.metadata,
  };
}

/** A line of the output file (2xx) or error file (any other status), in OpenAI's format. */
export function responseLine(customId: string, statusCode: number, requestId: string, body: unknown): string {
  return JSON.stringify({ id: `batch_req_${randomBytes(12).toString('hex')}`, custom_id: customId, response: { status_code: statusCode, request_id: requestId, body }, error: null });
}

/** A line of the error file for a request that never got a response (cancelled, expired). */
export function unansweredLine(customId: string, code: string, message: string): string {
  return JSON.stringify({ id: `batch_req_${randomBytes(12).toString('hex')}`, custom_id: customId, response: null, error: { code, message } });
}
