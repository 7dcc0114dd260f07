/**
 * Pricing of one upstream call: from the usage the upstream reported, or, when it reported
 * none, from tokens we count ourselves (then marked `estimated`).
 */
import { computeCost, tokenCountsFromUsage, type TokenCounts } from '../cost/compute-cost.js';
import { countPromptTokens, countTokens } from '../cost/token-counter.js';
import type { ModelPrice } from '../cost/price-catalog.js';
import type { ChatCompletionRequest, Usage } from '../protocol/chat-types.js';
import type { AttemptRecord } from '../storage/request-record.js';

export interface CallCost {
  tokens: TokenCounts;
  costUsd: number;
  estimated: boolean;
}

export function priceCall(request: ChatCompletionRequest, usage: Usage | null | undefined, completionText: string, price: ModelPrice | undefined): CallCost {
  const reported = tokenCountsFromUsage(usage);
  if (reported) return { tokens: reported, costUsd: computeCost(reported, price), estimated: false };
  const tokens: TokenCounts = {
    promptTokens: countPromptTokens(request.messages),
    completionTokens: countTokens(completionText),
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
