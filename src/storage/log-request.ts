/**
 * The pipeline's last step, outermost around every request: once the answer is delivered (or
 * failed), run the request's finish hooks (budget settlement, shadow calls…), then complete its
 * record — latency, and the savings baseline — and hand it to the log writer. It is the sole
 * owner of those fields; stages only fill in what they did. Metrics come from the same finished
 * record, so a dashboard and a scrape count the same things.
 */
import { computeCost } from '../cost/compute-cost.js';
import type { Logger } from '../logging/logger.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { GatewayMetrics } from '../observability/metrics/gateway-metrics.js';
import type { RequestScope } from '../pipeline/request-scope.js';
import type { RequestLogWriter } from './request-log-writer.js';
import type { RequestRecord } from './request-record.js';
import { scrubOptional } from '../security/secret-scrubber.js';

export interface LogServices {
  registry: ModelRegistry;
  logWriter: RequestLogWriter;
  logger: Logger;
  /** Prometheus metrics, derived from the finished record here and nowhere else. */
  metrics?: GatewayMetrics;
}

/** With `durable`, resolves once the row is committed (storage.durability: strict). */
export async function logRequest(services: LogServices, scope: RequestScope, logged: boolean, durable = false): Promise<void> {
  if (scope.hasFinishHooks) await scope.finish((error) => services.logger.error({ err: error, requestId: scope.id }, 'a finish hook failed'));
  if (!logged) return;
  const record = completeRecord(services, scope);
  services.metrics?.observeRecord(record);
  if (durable) await services.logWriter.write(record);
  else services.logWriter.enqueue(record);
}

/**
 * Fills in what the log step owns — latency and the savings baseline — and returns the record.
 * A batch line calls it before storing its answer, so the row it may write again later is whole.
 */
export function completeRecord(services: Pick<LogServices, 'registry'>, scope: RequestScope): RequestRecord {
  const record = scope.record;
  record.latency_ms = scope.elapsedMs();
  scrubRecord(record);
  const baseline = scope.baselineModel ? services.registry.get(scope.baselineModel) : undefined;
  // The savings baseline: what the request would have cost with no lever pulled. Routing's part
  // is the baseline model's cost of the same tokens (unrouted requests: what was paid); the
  // cache's and the context limit's parts are what they recorded. So the split in /api/spend
  // (routing = baseline − cost − cache − context) adds up to the total by construction.
  const leverSavings = (record.cache_saved_usd ?? 0) + (record.context_saved_usd ?? 0);
  const routed = baseline?.price
    ? computeCost(
        { promptTokens: record.prompt_tokens, completionTokens: record.completion_tokens, cachedTokens: record.cached_tokens, cacheWriteTokens: 0, reasoningTokens: record.reasoning_tokens },
        baseline.price,
      )
    : undefined;
  if (routed !== undefined || leverSavings !== 0) record.baseline_cost_usd = (routed ?? record.cost_usd) + leverSavings;
  return record;
}

/**
 * Stored text is scrubbed of secrets (security/secret-scrubber.ts): error messages are already,
 * as GatewayErrors, but bodies (`storage.log_bodies`) hold whatever the client or upstream sent.
 */
function scrubRecord(record: RequestRecord): void {
  record.error_message = scrubOptional(record.error_message);
  if (record.request_body) record.request_body = scrubOptional(record.request_body);
  if (record.response_body) record.response_body = scrubOptional(record.response_body);
  for (const attempt of record.attempts) attempt.error_message = scrubOptional(attempt.error_message);
}
