/**
 * Usage between Anthropic's semantics and OpenAI's (see `cost/compute-cost.ts`). Anthropic's
 * `input_tokens` counts only the uncached part of the prompt; cache reads and cache writes are
 * reported beside it. OpenAI's `prompt_tokens` includes both, so they are added back, and kept
 * apart in `prompt_tokens_details` so each is priced at its own rate. The reverse, for the
 * `/v1/messages` surface, takes them out again.
 */
import type { AnthropicUsage } from './anthropic-messages-types.js';
import type { Usage } from './chat-types.js';

export function mapUsage(usage: AnthropicUsage): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const promptTokens = (usage.input_tokens ?? 0) + cacheRead + cacheWrite;
  const completionTokens = usage.output_tokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cacheRead, cache_creation_tokens: cacheWrite },
  };
}

/**
 * Stream usage arrives in two parts: `message_start` carries the prompt side, `message_delta`
 * the final output count (and, on newer models, the prompt side again). Later values win.
 */
export function mergeUsage(earlier: AnthropicUsage, later: AnthropicUsage | undefined): AnthropicUsage {
  if (!later) return earlier;
  const merged: AnthropicUsage = { ...earlier };
  for (const [key, value] of Object.entries(later)) if (value !== null && value !== undefined) merged[key] = value;
  return merged;
}

/** OpenAI usage → Anthropic's four counters, e.g. 2009 prompt tokens of which 1800 cached → 209 input + 1800 cache read. */
export function toAnthropicUsage(usage: Usage): Required<Pick<AnthropicUsage, 'input_tokens' | 'output_tokens' | 'cache_creation_input_tokens' | 'cache_read_input_tokens'>> {
  const cacheRead = Number(usage.prompt_tokens_details?.cached_tokens ?? 0);
  const cacheWrite = Number(usage.prompt_tokens_details?.cache_creation_tokens ?? 0);
  return {
    input_tokens: Math.max(0, (usage.prompt_tokens ?? 0) - cacheRead - cacheWrite),
    output_tokens: usage.completion_tokens ?? 0,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}
