/**
 * What the router learns to predict: how far the weak model's answer falls short of the strong
 * model's. With 0/1 correctness that is 1 exactly when the weak model is wrong and the strong one
 * right. With graded judge scores (1–10) the gap is scaled so that a third of the scale counts as
 * a certain shortfall: a one-point difference on a noisy judge is weak evidence, a three-point
 * one is not. Rows where the weak model does as well or better are 0: sending them to the strong
 * model buys nothing.
 */
import type { RoutingRow } from '../evaluation/routing-dataset.js';

/** The benchmark a row belongs to (`mmlu/anatomy` → `mmlu`); labels are scaled per benchmark. */
export function benchmarkOf(row: RoutingRow): string {
  const slash = row.task.indexOf('/');
  return slash < 0 ? row.task : row.task.slice(0, slash);
}

/** The score difference that counts as a certain shortfall, from the range of scores seen. */
export function shortfallScale(rows: readonly RoutingRow[], weak: string, strong: string): number {
  let lowest = Infinity;
  let highest = -Infinity;
  for (const row of rows) {
    for (const model of [weak, strong]) {
      lowest = Math.min(lowest, row.scores[model]);
      highest = Math.max(highest, row.scores[model]);
    }
  }
  const range = highest - lowest;
  if (!(range > 0)) return 1;
  return range <= 1 ? range : range / 3;
}

export function shortfallLabel(row: RoutingRow, weak: string, strong: string, scale: number): number {
  const gap = (row.scores[strong] - row.scores[weak]) / scale;
  return Math.min(1, Math.max(0, gap));
}
