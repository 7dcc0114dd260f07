/**
 * What routing a dataset at a fixed threshold should give: quality, share of strong calls and
 * cost. The gateway's live results for the same threshold must match this (a test replays the
 * recorded answers through a fake upstream and compares).
 */
import type { RoutingRow } from './routing-dataset.js';
import { rowCosts, type CostOptions } from './request-costs.js';
import { routingOutcomes } from './routing-outcomes.js';

export interface ThresholdPrediction {
  /** Mean quality of the answers served. */
  quality: number;
  /** Share of rows sent to the strong model (score ≥ threshold). */
  strongShare: number;
  /** USD per 1,000 requests like these. */
  costPer1000: number;
}

export async function predictAtThreshold(rows: readonly RoutingRow[], scores: ArrayLike<number>, threshold: number, options: CostOptions): Promise<ThresholdPrediction> {
  if (scores.length !== rows.length) throw new Error(`got ${scores.length} scores for ${rows.length} rows`);
  const outcomes = routingOutcomes(rows, options.weak, options.strong);
  const costs = await rowCosts(rows, options);
  let quality = 0;
  let strong = 0;
  let cost = 0;
  for (let index = 0; index < rows.length; index++) {
    const toStrong = scores[index] >= threshold;
    if (toStrong) strong++;
    quality += toStrong ? outcomes[index].strong : outcomes[index].weak;
    cost += toStrong ? costs.perRow[index].strong : costs.perRow[index].weak;
  }
  return { quality: quality / rows.length, strongShare: strong / rows.length, costPer1000: (cost / rows.length) * 1000 };
}
