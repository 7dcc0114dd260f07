/**
 * Anthropic's thinking controls → OpenAI's `reasoning_effort`, for the translated path.
 *
 * `thinking: {type: 'enabled', budget_tokens}` is a token budget; OpenAI-format models take an
 * effort level. The thresholds follow the budgets Claude Code sends for its thinking keywords
 * ("think" 4,000, "think hard" 10,000, "ultrathink" 31,999), so each keyword lands on its own level:
 *
 *   budget_tokens     reasoning_effort
 *   ≤ 4,096           low
 *   4,097 … 16,384    medium
 *   > 16,384          high
 *
 * `output_config.effort` (low, medium, high, xhigh, max) is already a level and wins over the
 * budget; xhigh and max become high, the most every OpenAI-format server accepts. Thinking that
 * is `disabled` or `adaptive` (the model decides) sends no `reasoning_effort`.
 */
import type { OutputConfigParam, ThinkingParam } from './request-schema.js';

export type ReasoningEffort = 'low' | 'medium' | 'high';

/** Highest budget, in tokens, that each level stands for. */
const EFFORT_BY_BUDGET: ReadonlyArray<readonly [maxBudgetTokens: number, effort: ReasoningEffort]> = [
  [4_096, 'low'],
  [16_384, 'medium'],
];

const EFFORT_BY_LEVEL: Readonly<Record<string, ReasoningEffort>> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'high',
  max: 'high',
};

/** e.g. `{type: 'enabled', budget_tokens: 10000}` → 'medium'. */
export function reasoningEffortFor(thinking: ThinkingParam | undefined, outputConfig: OutputConfigParam | undefined): ReasoningEffort | undefined {
  const level = outputConfig?.effort ? EFFORT_BY_LEVEL[outputConfig.effort] : undefined;
  if (level) return level;
  if (thinking?.type !== 'enabled' || thinking.budget_tokens === undefined) return undefined;
  for (const [maxBudgetTokens, effort] of EFFORT_BY_BUDGET) if (thinking.budget_tokens <= maxBudgetTokens) return effort;
  return 'high';
}
