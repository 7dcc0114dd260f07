/**
 * Pricing of one upstream call: from the usage the upstream reported, or, when it reported
 * none, from tokens we count ourselves (then marked `estimated`, as is any call to a model
 * with no known price).
 *
 * Reported output is never trusted past what the call could produce: the `max_tokens` it was
 * sent, else the deployment's output ceiling. An upstream that claims 1M completion tokens for
 * `max_tokens: 10` is billed for 10, and the call is flagged (`usageClamped`), so a lying or
 * broken upstream cannot drain a budget.
 */
import { computeCost, tokenCountsFromUsage, type TokenCounts } from '../cost/compute-cost.js';
import { estimatePromptTokens, estimateTextTokens } from '../cost/token-counter.js';
import { BoundedText } from '../cost/bounded-text.js';
import type { ModelPrice } from '../cost/price-catalog.js';
import type { ResolvedDeployment } from '../models/model-registry.js';
import type { ChatCompletionRequest, Usage } from '../protocol/chat-types.js';
import type { AttemptRecord } from '../storage/request-record.js';

export interface CallCost {
  tokens: TokenCounts;
  costUsd: number;
  estimated: boolean;
  /** The upstream reported more output than the call could produce; `tokens` holds the cap. Names what was reported. */
  usageClamped?: string;
}

export function priceCall(request: ChatCompletionRequest, usage: Usage | null | undefined, completionText: string | BoundedText, deployment: Pick<ResolvedDeployment, 'price' | 'outputCeiling'>): CallCost {
  const { price } = deployment;
  const reported = tokenCountsFromUsage(usage);
  // A model with no known price is billed $0: an estimate, and marked as one (unpriced-models.ts).
  const unpriced = price === undefined;
  if (reported) {
    const requested = request.max_completion_tokens ?? request.max_tokens ?? deployment.outputCeiling;
    const cap = requested === undefined ? undefined : requested * Math.max(1, request.n ?? 1);
    if (cap === undefined || reported.completionTokens <= cap) return { tokens: reported, costUsd: computeCost(reported, price), estimated: unpriced };
    const usageClamped = `upstream reported ${reported.completionTokens} completion tokens, more than the ${cap} the call allowed; billed ${cap}`;
    const tokens = { ...reported, completionTokens: cap, reasoningTokens: Math.min(reported.reasoningTokens, cap) };
    return { tokens, costUsd: computeCost(tokens, price), estimated: unpriced, usageClamped };
  }
  const tokens: TokenCounts = {
    promptTokens: estimatePromptTokens(request.messages),
    completionTokens: completionText instanceof BoundedText ? completionText.countTokens() : estimateTextTokens(completionText),
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
  return { tokens, costUsd: computeCost(tokens, price), estimated: true };
}

/** The text of a completion's first choice, tool-call arguments included, for token counting. */
export function completionText(message: { content?: string | null; tool_calls?: Array<{ function: { name: string; arguments: string } }> } | undefined): string {
  if (!message) return '';
  let text = message.content ?? '';
  for (const call of message.tool_calls ?? []) text += call.function.name + call.function.arguments;
  return text;
}

/** Puts a successful call's tokens and cost on its attempt (the last one), so the log shows each call's cost. */
export function recordAttemptCost(attempts: AttemptRecord[], cost: CallCost): void {
  const last = attempts[attempts.length - 1];
  if (!last) return;
  last.cost_usd = cost.costUsd;
  last.prompt_tokens = cost.tokens.promptTokens;
  last.completion_tokens = cost.tokens.completionTokens;
}
