/**
 * What the router learns to predict: how much the strong model's answer beats the weak one's.
 * The gap (strong − weak) is scaled per benchmark: with scores in 0..1 (correctness, judge
 * probabilities) the largest difference seen counts as a full gap; with graded judge scores
 * (1–10) a third of the scale does, since a one-point difference on a noisy judge is weak
 * evidence and a three-point one is not.
 *
 * The default label, `gain`, maps the gap to ½ + gap/2, so a row where the weak model does
 * better pulls similar prompts away from the strong model. Cross-validation chose it clearly
 * over `shortfall` and `weak-fails` (docs/routing-quality.md): the metrics reward routing
 * where the strong model gains, and rows where it loses are evidence too.
 */
import type { RoutingRow } from '../evaluation/routing-dataset.js';

/** The benchmark a row belongs to (`mmlu/anatomy` → `mmlu`); labels are scaled per benchmark. */
export function benchmarkOf(row: RoutingRow): string {
  const slash = row.task.indexOf('/');
  return slash < 0 ? row.task : row.task.slice(0, slash);
}

export interface LabelScale {
  lowest: number;
  highest: number;
  /** The score difference that counts as a certain shortfall. */
  gap: number;
}

/**
 * The range of scores seen and the difference that counts as a certain shortfall. `soft` keeps
 * the whole 0..1 range as the full gap for judge probabilities (labels then span ¼..¾): how a
 * domain expert reads other domains' judge labels, as weaker evidence than its own.
 */
export function labelScale(rows: readonly RoutingRow[], weak: string, strong: string, soft = false): LabelScale {
  let lowest = Infinity;
  let highest = -Infinity;
  for (const row of rows) {
    for (const model of [weak, strong]) {
      lowest = Math.min(lowest, row.scores[model]);
      highest = Math.max(highest, row.scores[model]);
    }
  }
  const range = highest - lowest;
  if (!(range > 0)) return { lowest, highest, gap: 1 };
  if (range > 1) return { lowest, highest, gap: range / 3 };
  if (soft) return { lowest, highest, gap: range };
  // Scores in 0..1: the largest difference seen counts as a full gap. With 0/1 correctness that
  // is 1; with judge probabilities against the strong model (which scores 0.5 against itself)
  // it is 0.5, and "the judge always prefers the strong answer" is then a certain shortfall.
  let largest = 0;
  for (const row of rows) largest = Math.max(largest, Math.abs(row.scores[strong] - row.scores[weak]));
  return { lowest, highest, gap: largest > 0 ? largest : range };
}

/**
 * - `shortfall`: the weak model does worse (0 when it does as well or better).
 * - `gain`: the expected gain from the strong model, ½ + gap/2: rows where the weak model does
 *   better count against sending similar prompts to the strong model.
 * - `weak-fails`: the weak model's answer is poor, whatever the strong model does.
 */
export type LabelKind = 'shortfall' | 'gain' | 'weak-fails';

export function trainingLabel(kind: LabelKind, row: RoutingRow, weak: string, strong: string, scale: LabelScale): number {
  const clamp = (value: number): number => Math.min(1, Math.max(0, value));
  const gap = (row.scores[strong] - row.scores[weak]) / scale.gap;
  if (kind === 'gain') return clamp(0.5 + gap / 2);
  if (kind === 'weak-fails') return clamp((scale.highest - row.scores[weak]) / Math.max(scale.highest - scale.lowest, 1e-12));
  return clamp(gap);
}
