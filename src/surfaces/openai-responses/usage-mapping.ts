/**
 * Chat Completions `usage` → Responses `usage` (input/output naming, details always present).
 * Cache writes are Anthropic's; its adapter reports them as `prompt_tokens_details.cache_creation_tokens`.
 */
import type { Usage } from '../../protocol/chat-types.js';
import type { ResponseUsage } from './response-types.js';

export function toResponseUsage(usage: Usage): ResponseUsage {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: {
      cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
      cache_write_tokens: numberOr(usage.prompt_tokens_details?.cache_creation_tokens, 0),
    },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens,
  };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
