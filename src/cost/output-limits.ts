/**
 * The most output tokens a model can produce in one call, from each provider's model overview.
 * Budgets reserve this when a request sets no `max_tokens`: an upstream left without a cap may
 * write up to it, and a reservation must be an upper bound or a budget can be overrun.
 * Longest prefix wins, so `gpt-4o-mini` is not taken for `gpt-4o` (same limit here, but not
 * always) and `claude-opus-4-5` is not taken for `claude-opus-4`.
 */
const OUTPUT_LIMITS: ReadonlyArray<readonly [prefix: string, maxTokens: number]> = [
  // OpenAI
  ['gpt-3.5-turbo', 4096],
  ['gpt-4-turbo', 4096],
  ['gpt-4-1106', 4096],
  ['gpt-4o', 16_384],
  ['gpt-4o-mini', 16_384],
  ['gpt-4.1', 32_768],
  ['gpt-5', 128_000],
  ['o1', 100_000],
  ['o1-mini', 65_536],
  ['o3', 100_000],
  ['o4-mini', 100_000],
  // Anthropic (standard API, without beta headers)
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
  // Google Gemini
  ['gemini-1.5', 8192],
  ['gemini-2.0', 8192],
  ['gemini-2.5', 65_536],
];

/** The output ceiling of an upstream model id, e.g. 8192 for `claude-3-5-haiku-20241022`; undefined when unknown. */
export function knownOutputLimit(model: string): number | undefined {
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  let best: readonly [string, number] | undefined;
  for (const entry of OUTPUT_LIMITS) {
    if (bare.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  }
  return best?.[1];
}
