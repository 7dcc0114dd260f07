/**
 * Anthropic requires `max_tokens`; OpenAI clients usually leave it out, meaning "as much as the
 * model can". So when the client sets neither `max_completion_tokens` nor `max_tokens`, we send
 * the model's documented output limit (Anthropic's models overview, standard API without beta
 * headers). Billing is by tokens produced, so a high ceiling costs nothing by itself.
 * Unknown models get 4096, which every Claude model accepts (LiteLLM uses the same default).
 */

export const DEFAULT_MAX_TOKENS = 4096;

/** Longest prefix wins, so `claude-opus-4-5` is not taken for `claude-opus-4`. */
const OUTPUT_LIMITS: ReadonlyArray<readonly [prefix: string, maxTokens: number]> = [
  ['claude-3-haiku', 4096],
  ['claude-3-opus', 4096],
  ['claude-3-sonnet', 4096],
  ['claude-3-5-haiku', 8192],
  ['claude-3-5-sonnet', 8192],
  ['claude-3-7-sonnet', 64_000],
  ['claude-sonnet-4', 64_000],
  ['claude-sonnet-4-5', 64_000],
  ['claude-haiku-4-5', 64_000],
  ['claude-opus-4', 32_000],
  ['claude-opus-4-1', 32_000],
  ['claude-opus-4-5', 64_000],
];

/** The output ceiling to send for `model` when the client gave none, e.g. 8192 for `claude-3-5-haiku-20241022`. */
export function defaultMaxTokens(model: string): number {
  let best: readonly [string, number] | undefined;
  for (const entry of OUTPUT_LIMITS) {
    if (model.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  }
  return best ? best[1] : DEFAULT_MAX_TOKENS;
}
