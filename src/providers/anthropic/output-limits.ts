/**
 * Anthropic requires `max_tokens`; OpenAI clients usually leave it out, meaning "as much as the
 * model can". So when the client sets neither `max_completion_tokens` nor `max_tokens`, we send
 * the model's documented output limit (src/cost/output-limits.ts). Billing is by tokens
 * produced, so a high ceiling costs nothing by itself. Unknown models get 4096, which every
 * Claude model accepts (LiteLLM uses the same default).
 */
import { knownOutputLimit } from '../../cost/output-limits.js';

export const DEFAULT_MAX_TOKENS = 4096;

/** The output ceiling to send for `model` when the client gave none, e.g. 8192 for `claude-3-5-haiku-20241022`. */
export function defaultMaxTokens(model: string): number {
  return knownOutputLimit(model) ?? DEFAULT_MAX_TOKENS;
}
