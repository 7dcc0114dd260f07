import { describe, expect, it } from 'vitest';
import { computeCost, tokenCountsFromUsage } from './compute-cost.js';
import { lookupPrice, PRICE_CATALOG } from './price-catalog.js';

describe('price catalog', () => {
  it('finds dated snapshots, provider prefixes and -latest aliases under their family', () => {
    expect(lookupPrice('gpt-4o-mini-2024-07-18')).toBe(PRICE_CATALOG['gpt-4o-mini']);
    expect(lookupPrice('openai/gpt-4.1-nano')).toBe(PRICE_CATALOG['gpt-4.1-nano']);
    expect(lookupPrice('claude-3-5-haiku-20241022')).toBe(PRICE_CATALOG['claude-3-5-haiku']);
    expect(lookupPrice('claude-3-5-haiku-latest')).toBe(PRICE_CATALOG['claude-3-5-haiku']);
    expect(lookupPrice('gemini-2.5-flash')).toBe(PRICE_CATALOG['gemini-2.5-flash']);
    expect(lookupPrice('my-private-model')).toBeUndefined();
  });

  it('covers the popular families the issue names', () => {
    for (const name of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o1', 'o3', 'o3-mini', 'o4-mini', 'claude-3-5-haiku', 'claude-sonnet-4-5', 'claude-opus-4-1', 'gemini-2.5-flash', 'gemini-2.5-pro']) {
      const price = PRICE_CATALOG[name];
      expect(price, name).toBeDefined();
      expect(price!.cached_input, name).toBeLessThanOrEqual(price!.input);
    }
  });
});

describe('cost from usage', () => {
  it('bills uncached input, cached input, cache writes and output (reasoning included) at their rates', () => {
    const tokens = tokenCountsFromUsage({
      prompt_tokens: 10_000,
      completion_tokens: 2_000,
      total_tokens: 12_000,
      prompt_tokens_details: { cached_tokens: 6_000, cache_creation_tokens: 1_000 },
      completion_tokens_details: { reasoning_tokens: 1_500 },
    })!;
    expect(tokens).toEqual({ promptTokens: 10_000, completionTokens: 2_000, cachedTokens: 6_000, cacheWriteTokens: 1_000, reasoningTokens: 1_500 });
    // claude-sonnet-4-5: $3 input, $0.30 cache read, $3.75 cache write, $15 output per 1M.
    const expected = (3_000 * 3 + 6_000 * 0.3 + 1_000 * 3.75 + 2_000 * 15) / 1e6;
    expect(computeCost(tokens, PRICE_CATALOG['claude-sonnet-4-5'])).toBeCloseTo(expected, 12);
  });

  it('reproduces published arithmetic: 10M input tokens on gpt-4o cost $25, on gpt-4o-mini $1.50', () => {
    const tokens = { promptTokens: 10_000_000, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    expect(computeCost(tokens, lookupPrice('gpt-4o'))).toBeCloseTo(25, 9);
    expect(computeCost(tokens, lookupPrice('gpt-4o-mini'))).toBeCloseTo(1.5, 9);
  });

  it('costs nothing for a model without a price rather than guessing', () => {
    expect(computeCost({ promptTokens: 100, completionTokens: 100, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, undefined)).toBe(0);
  });
});
