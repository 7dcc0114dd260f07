/**
 * What every surface does with an outcome, whatever wire format it writes: put the served
 * model, tokens and cost on the request record, and name them in the response headers. Streams
 * are priced here once they end, from the usage they reported or, without one, from their text.
 */
import type { CompletedCall } from '../execution/chat-executor.js';
import { priceCall, recordAttemptCost, type CallCost } from '../execution/priced-call.js';
import type { ChatCompletionRequest, Usage } from '../protocol/chat-types.js';
import type { ChatOutcome } from './chat-outcome.js';
import type { BoundedText } from '../cost/bounded-text.js';
import type { RequestScope } from './request-scope.js';

type Completed = Extract<ChatOutcome, { kind: 'completed' }>;
type Streamed = Extract<ChatOutcome, { kind: 'stream' }>;

/** Records a whole completion and returns the headers of its response (see `recordServer`). */
export function recordCompleted(scope: RequestScope, outcome: Completed): Record<string, string> {
  const { call } = outcome;
  const headers = recordServer(scope, call, outcome.headers);
  applyCost(scope, call.cost, outcome.extraCost);
  headers['x-switchboard-cost-usd'] = (call.cost.costUsd + outcome.extraCost).toFixed(8);
  if (call.cost.estimated) headers['x-switchboard-cost-estimated'] = 'true';
  return headers;
}

/**
 * Records who serves a stream and returns the headers that open it (see `recordServer`). Its
 * cost comes at its end, on the log record; the headers can only say it will be an estimate when
 * the model has no price.
 */
export function recordStreamStart(scope: RequestScope, outcome: Streamed): Record<string, string> {
  const { stream } = outcome;
  const headers = recordServer(scope, stream, outcome.headers);
  // A stream's cost is known only at its end, after the headers; an unpriced model is known now.
  if (stream.deployment.price === undefined) headers['x-switchboard-cost-estimated'] = 'true';
  return headers;
}

/**
 * Who served the request, on its record and in its headers, for a completion and a stream alike.
 * The headers are the scope's own (`x-request-id`, rate limits…) with the outcome's added: no
 * copy, because a spread copy here outlived the young generation, 509 B a routed stream in
 * `npm run bench:allocations -- --survivors`.
 */
function recordServer(scope: RequestScope, served: Pick<CompletedCall, 'model' | 'deployment'>, outcomeHeaders: Record<string, string>): Record<string, string> {
  const record = scope.record;
  record.served_model = served.model.name;
  record.provider = served.deployment.info.provider;
  record.deployment = served.deployment.id;
  const headers = scope.headers;
  for (const name in outcomeHeaders) headers[name] = outcomeHeaders[name]!;
  headers['x-switchboard-model'] = served.model.name;
  headers['x-switchboard-provider'] = served.deployment.info.provider;
  if (served.model.simulated) headers['x-switchboard-simulated'] = 'true';
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

