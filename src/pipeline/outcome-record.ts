/**
 * What every surface does with an outcome, whatever wire format it writes: put the served
 * model, tokens and cost on the request record, and name them in the response headers. Streams
 * are priced here once they end, from the usage they reported or, without one, from their text.
 */
import { priceCall, recordAttemptCost, type CallCost } from '../execution/priced-call.js';
import type { ChatCompletionRequest, Usage } from '../protocol/chat-types.js';
import type { ChatOutcome } from './chat-outcome.js';
import type { BoundedText } from '../cost/bounded-text.js';
import type { RequestScope } from './request-scope.js';

type Completed = Extract<ChatOutcome, { kind: 'completed' }>;
type Streamed = Extract<ChatOutcome, { kind: 'stream' }>;

/**
 * Records a whole completion and returns the headers of its response: the scope's own
 * (`x-request-id`, rate limits…), to which the outcome's are added, so no copy is made.
 */
export function recordCompleted(scope: RequestScope, outcome: Completed): Record<string, string> {
  const { call } = outcome;
  const record = scope.record;
  record.served_model = call.model.name;
  record.provider = call.deployment.info.provider;
  record.deployment = call.deployment.id;
  applyCost(scope, call.cost, outcome.extraCost);
  const headers = scope.headers;
  for (const name in outcome.headers) headers[name] = outcome.headers[name]!;
  headers['x-switchboard-model'] = call.model.name;
  headers['x-switchboard-provider'] = call.deployment.info.provider;
  if (call.model.simulated) headers['x-switchboard-simulated'] = 'true';
  headers['x-switchboard-cost-usd'] = (call.cost.costUsd + outcome.extraCost).toFixed(8);
  if (call.cost.estimated) headers['x-switchboard-cost-estimated'] = 'true';
  return headers;
}

/**
 * Records who serves a stream and returns the headers that open it (the scope's own, to which
 * the outcome's are added, as for a completion). Its cost comes at its end,
 * on the log record; the headers can only say it will be an estimate when the model has no price.
 */
export function recordStreamStart(scope: RequestScope, outcome: Streamed): Record<string, string> {
  const { stream } = outcome;
  const record = scope.record;
  record.served_model = stream.model.name;
  record.provider = stream.deployment.info.provider;
  record.deployment = stream.deployment.id;
  // Written onto the scope's headers, as recordCompleted does: a spread copy here outlived the
  // young generation, 509 B a routed stream in `npm run bench:allocations -- --survivors`.
  const headers = scope.headers;
  for (const name in outcome.headers) headers[name] = outcome.headers[name]!;
  headers['x-switchboard-model'] = stream.model.name;
  headers['x-switchboard-provider'] = stream.deployment.info.provider;
  if (stream.model.simulated) headers['x-switchboard-simulated'] = 'true';
  // A stream's cost is known only at its end, after the headers; an unpriced model is known now.
  if (stream.deployment.price === undefined) headers['x-switchboard-cost-estimated'] = 'true';
  return headers;
}

/**
 * Prices a stream that has ended (completed, failed, cut at a bound, or cancelled) from what it
 * delivered: its usage, else its streamed text, kept in bounded memory (cost/bounded-text.ts).
 */
export function recordStreamEnd(scope: RequestScope, request: ChatCompletionRequest, outcome: Streamed, usage: Usage | null, text: BoundedText): void {
  // A replay from the cache carries the original usage, but nothing was bought: it costs 0.
  if (outcome.cached) return;
  const cost = priceCall(request, usage, usage ? '' : text, outcome.stream.deployment);
  applyCost(scope, cost, outcome.extraCost);
  recordAttemptCost(scope.record.attempts, cost);
}

export function applyCost(scope: RequestScope, cost: CallCost, extraCost: number): void {
  const record = scope.record;
  record.prompt_tokens += cost.tokens.promptTokens;
  record.completion_tokens += cost.tokens.completionTokens;
  record.cached_tokens += cost.tokens.cachedTokens;
  record.reasoning_tokens += cost.tokens.reasoningTokens;
  record.cost_usd += cost.costUsd + extraCost;
  record.cost_estimated ||= cost.estimated;
  if (cost.usageClamped) record.anomaly = cost.usageClamped;
}

