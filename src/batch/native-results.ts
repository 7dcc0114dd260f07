/**
 * Records the answers a provider's batch API returned for a native group: each priced at the
 * deployment's batch price (its live price kept beside it, for the saving), settled against the
 * batch's budget hold, logged like any request, and written to the output or error file line of
 * its `custom_id`. A line the provider returned no answer for is recorded as not run.
 */
import type { RouteTable } from '../routing/route-table.js';
import { batchPrice } from '../cost/price-catalog.js';
import { computeCost } from '../cost/compute-cost.js';
import { applyCost } from '../pipeline/outcome-record.js';
import { completionText, priceCall } from '../execution/priced-call.js';
import type { Principal } from '../governance/keys/authenticate.js';
import type { ResolvedDeployment } from '../models/model-registry.js';
import { RequestScope } from '../pipeline/request-scope.js';
import type { ChatCompletion, ChatCompletionRequest, EmbeddingsResponse } from '../protocol/chat-types.js';
import type { NativeBatchResult } from '../providers/batch-api.js';
import type { Gateway } from '../server/gateway.js';
import { responseLine, unansweredLine } from './batch-objects.js';
import { describeLine, recordLineOutcome } from './line-outcome.js';
import type { BatchJob, BatchLine } from './store/batch-records.js';
import type { BatchStore } from './store/batch-store.js';

export interface NativeGroupContext {
  job: BatchJob;
  /** The routes now serving, to describe a routed line's decision in its record. */
  routes: RouteTable;
  principal: Principal;
  modelName: string;
  deployment: ResolvedDeployment;
}

export async function recordNativeResult(gateway: Gateway, store: BatchStore, context: NativeGroupContext, line: BatchLine, result: NativeBatchResult): Promise<void> {
  const scope = lineScope(gateway, context, line);
  const record = scope.record;
  let output: string;
  if (result.kind === 'succeeded') {
    const price = context.deployment.price;
    if (line.url === '/v1/embeddings') {
      const promptTokens = (result.body as EmbeddingsResponse).usage?.prompt_tokens ?? 0;
      const tokens = { promptTokens, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
      record.prompt_tokens = tokens.promptTokens;
      record.cost_usd = computeCost(tokens, price ? batchPrice(price) : undefined);
      record.live_cost_usd = computeCost(tokens, price);
    } else {
      const completion = result.body as ChatCompletion;
      const request = JSON.parse(line.body) as ChatCompletionRequest;
      const cost = priceCall(request, completion.usage, completionText(completion.choices?.[0]?.message), { price: price ? batchPrice(price) : undefined, outputCeiling: context.deployment.outputCeiling });
      applyCost(scope, cost, 0);
      record.live_cost_usd = computeCost(cost.tokens, price);
    }
    output = responseLine(line.customId, 200, result.requestId ?? scope.id, result.body);
  } else {
    record.status = result.status ?? 500;
    record.error_code = result.error.code ?? result.error.type;
    record.error_message = result.error.message.slice(0, 500);
    record.live_cost_usd = 0;
    output =
      result.status === null
        ? unansweredLine(line.customId, result.error.code ?? 'batch_failed', result.error.message)
        : responseLine(line.customId, result.status, result.requestId ?? scope.id, { error: { message: result.error.message, type: result.error.type, param: null, code: result.error.code } });
  }
  await recordLineOutcome(gateway, store, scope, line, result.kind === 'succeeded', output);
}

/** A line the batch never ran (cancelled, expired, or its group could not be submitted): no cost, an error-file line. */
export async function recordUnanswered(gateway: Gateway, store: BatchStore, context: Omit<NativeGroupContext, 'deployment' | 'modelName' | 'routes'>, line: BatchLine, code: string, message: string, status: number | null = null): Promise<void> {
  const scope = new RequestScope(line.url);
  scope.principal = context.principal;
  describeLine(scope, context.job, line, (JSON.parse(line.body) as { model: string }).model);
  settleOnFinish(gateway, scope);
  scope.record.status = status ?? 499;
  scope.record.error_code = code;
  scope.record.error_message = message;
  const output = status === null ? unansweredLine(line.customId, code, message) : responseLine(line.customId, status, scope.id, { error: { message, type: 'api_error', param: null, code } });
  await recordLineOutcome(gateway, store, scope, line, false, output);
}

function lineScope(gateway: Gateway, context: NativeGroupContext, line: BatchLine): RequestScope {
  const scope = new RequestScope(line.url);
  scope.principal = context.principal;
  const request = JSON.parse(line.body) as ChatCompletionRequest;
  describeLine(scope, context.job, line, request.model);
  const record = scope.record;
  const route = context.routes.get(request.model);
  const decision = line.url === '/v1/chat/completions' ? route?.decideWithoutCall?.(request) : undefined;
  if (route && decision) {
    // A routed line was decided when the batch was planned; the decision is deterministic, so
    // it is described again here rather than stored (a router swapped in between may differ).
    record.route = route.name;
    record.route_strategy = route.strategy;
    record.route_decision = decision.label;
    record.route_reason = decision.reason;
    record.router_score = decision.score ?? null;
    scope.baselineModel = route.strongModel;
  } else {
    record.requested_model = context.modelName;
  }
  record.served_model = context.modelName;
  record.provider = context.deployment.info.provider;
  record.deployment = context.deployment.id;
  settleOnFinish(gateway, scope);
  return scope;
}

/** Lines a provider ran were admitted with their batch: they settle against its hold, once, after their answer is stored. */
function settleOnFinish(gateway: Gateway, scope: RequestScope): void {
  const prepaid = scope.prepaid;
  if (prepaid) scope.onFinish(() => gateway.governance.settleBatchLine(prepaid, scope.record));
}
