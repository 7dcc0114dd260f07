/**
 * The one way a line's answer is recorded, whichever path produced it: the request-log record
 * is completed, the answer is stored once (`completeLine` refuses a line already done), and only
 * then are the line's finish hooks run — its settlement against the batch's budget hold — and its
 * row logged. A line answered twice (two instances after a lease handover) is settled and logged
 * once.
 */
import { errorBody } from '../server/error-response.js';
import type { GatewayError } from '../errors/index.js';
import type { RequestScope } from '../pipeline/request-scope.js';
import type { Gateway } from '../server/gateway.js';
import { completeRecord, logRequest } from '../storage/log-request.js';
import { responseLine } from './batch-objects.js';
import type { BatchJob, BatchLine } from './store/batch-records.js';
import type { BatchStore } from './store/batch-store.js';

/** A batch line's scope: a request scope with the batch's caller, budget hold and log fields. */
export function describeLine(scope: RequestScope, job: BatchJob, line: BatchLine, model: string): void {
  const record = scope.record;
  record.surface = 'batch';
  record.batch_id = job.id;
  record.requested_model = model;
  if (scope.principal.kind === 'virtual-key') {
    record.key_id = scope.principal.key.id;
    record.team = scope.principal.key.team ?? null;
  }
  if (job.hold) scope.prepaid = { hold: job.hold, reserved: { nanoUsd: line.reservedNano, tokens: line.reservedTokens } };
}

export function failureLine(scope: RequestScope, line: BatchLine, error: GatewayError): string {
  const record = scope.record;
  record.status = error.status;
  record.error_code = error.code;
  record.error_message = error.message.slice(0, 500);
  return responseLine(line.customId, error.status, scope.id, errorBody(error));
}

export async function recordLineOutcome(gateway: Gateway, store: BatchStore, scope: RequestScope, line: BatchLine, succeeded: boolean, output: string): Promise<boolean> {
  const record = completeRecord(gateway, scope);
  const stored = await store.completeLine(line.batchId, line.lineNumber, {
    succeeded,
    output,
    promptTokens: record.prompt_tokens,
    completionTokens: record.completion_tokens,
    cachedTokens: record.cached_tokens,
    reasoningTokens: record.reasoning_tokens,
    costUsd: record.cost_usd,
    record: JSON.stringify(record),
  });
  // Settlement (a finish hook) and the log row follow the stored answer, and only the first one.
  if (stored) await logRequest(gateway, scope, true);
  return stored;
}
