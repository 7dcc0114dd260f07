/**
 * Runs one line through the normal request pipeline — admission (prepaid: the key's model scope
 * and rate limits; the budget was held with the batch), routing (so `auto` is decided for this
 * line), retries and fallbacks, pricing — and records its answer (line-outcome.ts).
 *
 * A line the key's own rate limit turns away before any upstream call is not an answer: it is
 * put back to wait, and the caller is told how long.
 */
import { toGatewayError } from '../server/error-response.js';
import { recordCompleted } from '../pipeline/outcome-record.js';
import { RequestScope } from '../pipeline/request-scope.js';
import type { Principal } from '../governance/keys/authenticate.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../protocol/chat-types.js';
import type { Gateway } from '../server/gateway.js';
import { recordChatRequest } from '../surfaces/record-request.js';
import { responseLine } from './batch-objects.js';
import { describeLine, failureLine, recordLineOutcome } from './line-outcome.js';
import type { BatchJob, BatchLine } from './store/batch-records.js';
import type { BatchStore } from './store/batch-store.js';

export type PacedLineResult = { kind: 'answered' } | { kind: 'rate-limited'; retryAfterMs: number };

export async function runPacedLine(gateway: Gateway, store: BatchStore, job: BatchJob, line: BatchLine, principal: Principal): Promise<PacedLineResult> {
  await store.setLineState(job.id, [line.lineNumber], 'running');
  const scope = new RequestScope(line.url);
  scope.principal = principal;
  const request = JSON.parse(line.body) as ChatCompletionRequest | EmbeddingsRequest;
  let output: string;
  let succeeded = false;
  try {
    if (line.url === '/v1/embeddings') {
      describeLine(scope, job, line, request.model);
      const outcome = await gateway.pipelines.embeddings({ scope, request: request as EmbeddingsRequest });
      output = responseLine(line.customId, 200, scope.id, outcome.response);
    } else {
      recordChatRequest(scope, 'batch', request as ChatCompletionRequest);
      describeLine(scope, job, line, request.model);
      const outcome = await gateway.pipelines.chat({ scope, surface: 'batch', request: request as ChatCompletionRequest });
      if (outcome.kind !== 'completed') throw new Error('a batch line is never streamed');
      recordCompleted(scope, outcome);
      output = responseLine(line.customId, 200, scope.id, outcome.call.completion);
    }
    succeeded = true;
  } catch (error) {
    const failure = toGatewayError(error);
    if (failure.code === 'rate_limit_exceeded' && scope.record.attempts.length === 0) {
      await store.setLineState(job.id, [line.lineNumber], 'pending');
      return { kind: 'rate-limited', retryAfterMs: failure.retryAfterMs ?? 1000 };
    }
    if (failure.status >= 500 && failure.code === 'internal_error') gateway.logger.error({ err: error, batchId: job.id, line: line.lineNumber }, 'a batch line failed unexpectedly');
    output = failureLine(scope, line, failure);
  }
  // Run by the gateway at the live price: the saving against it is none.
  scope.record.live_cost_usd = scope.record.cost_usd;
  await recordLineOutcome(gateway, store, scope, line, succeeded, output);
  return { kind: 'answered' };
}
