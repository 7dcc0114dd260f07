/**
 * What each row would cost on the weak and on the strong model, from the price catalog.
 * Prompt tokens are counted the way the gateway counts a one-message chat request
 * (`countPromptTokens`), so predictions match what it logs. Output tokens come from the
 * recorded answer where the dataset has one; otherwise `assumedOutputTokens` is used, a
 * stated assumption rather than a measurement (see docs/routing-quality.md).
 */
import { lookupPrice } from '../../cost/price-catalog.js';
import { computeCost } from '../../cost/compute-cost.js';
import { countPromptTokens, countTokens, loadTokenizer } from '../../cost/token-counter.js';
import type { RoutingRow } from './routing-dataset.js';
import type { RoutingOutcome } from './quality-curve.js';

/** Output tokens assumed for a row without a recorded answer: a short answer with a brief explanation. */
export const ASSUMED_OUTPUT_TOKENS = 100;

export interface CostOptions {
  weak: string;
  strong: string;
  assumedOutputTokens?: number;
}

export interface RowCosts {
  /** USD per row as `{weak, strong}`, shaped like quality outcomes so the same curve code applies. */
  perRow: RoutingOutcome[];
  /** Models missing from the price catalog (they count as free). */
  unpriced: string[];
  /** Rows whose output tokens were assumed rather than counted, per model. */
  assumedOutputRows: Record<string, number>;
}

export async function rowCosts(rows: readonly RoutingRow[], options: CostOptions): Promise<RowCosts> {
  await loadTokenizer();
  const assumed = options.assumedOutputTokens ?? ASSUMED_OUTPUT_TOKENS;
  const models = [options.weak, options.strong];
  const prices = models.map((model) => lookupPrice(model));
  const assumedOutputRows: Record<string, number> = { [options.weak]: 0, [options.strong]: 0 };
  const perRow = rows.map((row) => {
    const promptTokens = countPromptTokens([{ role: 'user', content: row.prompt }]);
    const [weak, strong] = models.map((model, index) => {
      const response = row.responses?.[model];
      if (typeof response !== 'string') assumedOutputRows[model]++;
      const completionTokens = typeof response === 'string' ? countTokens(response) : assumed;
      return computeCost({ promptTokens, completionTokens, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, prices[index]);
    });
    return { weak, strong };
  });
  return { perRow, unpriced: models.filter((_model, index) => !prices[index]), assumedOutputRows };
}
