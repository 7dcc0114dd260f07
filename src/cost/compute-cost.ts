/**
 * Cost of one call from the usage the upstream reported, in OpenAI's usage semantics:
 * `prompt_tokens` includes cached and cache-write tokens, `completion_tokens` includes
 * reasoning tokens. Every provider adapter maps its usage into those semantics.
 */
import type { Usage } from '../protocol/chat-types.js';
import type { ModelPrice } from './price-catalog.js';

const PER_TOKEN = 1 / 1_000_000;

export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export function tokenCountsFromUsage(usage: Usage | null | undefined): TokenCounts | undefined {
  if (!usage) return undefined;
  const details = usage.prompt_tokens_details ?? undefined;
  return {
    promptTokens: usage.prompt_tokens ?? 0,
    completionTokens: usage.completion_tokens ?? 0,
    cachedTokens: Number(details?.cached_tokens ?? 0),
    cacheWriteTokens: Number(details?.cache_creation_tokens ?? 0),
    reasoningTokens: Number(usage.completion_tokens_details?.reasoning_tokens ?? 0),
  };
}

/** USD for the given tokens at the given price. Returns 0 for an unpriced model. */
export function computeCost(tokens: TokenCounts, price: ModelPrice | undefined): number {
  if (!price) return 0;
  const uncached = Math.max(0, tokens.promptTokens - tokens.cachedTokens - tokens.cacheWriteTokens);
  const cost =
    uncached * price.input +
    tokens.cachedTokens * (price.cached_input ?? price.input) +
    tokens.cacheWriteTokens * (price.cache_write ?? price.input) +
    tokens.completionTokens * price.output;
  return cost * PER_TOKEN;
}
