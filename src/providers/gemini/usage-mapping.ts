/**
 * Gemini `usageMetadata` → OpenAI usage semantics (see `cost/compute-cost.ts`).
 * `promptTokenCount` already includes `cachedContentTokenCount`; tokens the model spent on
 * tool-use prompts (`toolUsePromptTokenCount`) are billed as input, so they join the prompt.
 * `candidatesTokenCount` leaves out thinking, which Google bills as output: OpenAI's
 * `completion_tokens` includes reasoning, so `thoughtsTokenCount` is added to it.
 */
import type { Usage } from '../../protocol/chat-types.js';
import type { GeminiUsageMetadata } from './gemini-types.js';

export function mapUsage(usage: GeminiUsageMetadata): Usage {
  const promptTokens = (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0);
  const thoughts = usage.thoughtsTokenCount ?? 0;
  const completionTokens = (usage.candidatesTokenCount ?? 0) + thoughts;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: thoughts },
  };
}
