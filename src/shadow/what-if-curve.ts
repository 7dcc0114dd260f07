/**
 * The what-if curve of a learned route, from its labelled comparisons: if the route sent its
 * top-scored share of requests to the strong model (by the router serving now), how good and how
 * costly would the answers have been? Each comparison holds both answers and their costs, and its
 * label is the probability that the strong answer is better, so a request sent to the strong model
 * scores its label and one sent to the weak model scores one minus it. This is `eval`'s curve,
 * drawn on the team's own traffic instead of a dataset.
 */
import { comparisonLabel, type Comparison } from './comparison.js';

export interface WhatIfPoint {
  /** Share of requests sent to the strong model. */
  strong_share: number;
  /** Mean probability that the chosen answer beats the other one. */
  quality: number;
  /** What the labelled requests would have cost, in USD. */
  cost_usd: number;
}

const STEPS = 10;

/** Eleven points from 0% to 100% strong, or none when no comparison is labelled. */
export function whatIfCurve(comparisons: readonly Comparison[], score: (prompt: string) => number): WhatIfPoint[] {
  const labelled = comparisons
    .map((comparison) => ({ comparison, label: comparisonLabel(comparison)?.label }))
    .filter((entry): entry is { comparison: Comparison; label: number } => entry.label !== undefined)
    .map((entry) => ({ ...entry, score: score(entry.comparison.prompt) }))
    .sort((a, b) => b.score - a.score);
  if (labelled.length === 0) return [];
  const points: WhatIfPoint[] = [];
  for (let step = 0; step <= STEPS; step++) {
    const strongCount = Math.round((step / STEPS) * labelled.length);
    let quality = 0;
    let cost = 0;
    labelled.forEach((entry, index) => {
      const strong = index < strongCount;
      quality += strong ? entry.label : 1 - entry.label;
      cost += strong ? entry.comparison.strong.cost_usd : entry.comparison.weak.cost_usd;
    });
    points.push({ strong_share: strongCount / labelled.length, quality: quality / labelled.length, cost_usd: cost });
  }
  return points;
}
