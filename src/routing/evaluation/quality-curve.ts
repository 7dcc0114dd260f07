/**
 * The quality a router reaches against the share of requests it sends to the strong model.
 * Requests are sent to the strong model in decreasing score order. Requests with equal scores
 * cannot be separated by any threshold, so inside a tie group the curve is the straight line
 * between its ends: the expected quality if ties were broken at random, and the same answer
 * whatever order the rows came in.
 */

export interface RoutingOutcome {
  /** Quality of the weak model's answer. */
  weak: number;
  /** Quality of the strong model's answer. */
  strong: number;
}

export interface CurvePoint {
  /** Share of requests sent to the strong model, 0..1. */
  strongShare: number;
  /** Mean quality at that share. */
  quality: number;
  /** The lowest router score sent to the strong model at this point (Infinity at share 0). */
  threshold: number;
}

export interface QualityCurve {
  weakQuality: number;
  strongQuality: number;
  /** Points at every tie-group boundary, from share 0 to share 1; linear in between. */
  points: CurvePoint[];
}

export function qualityCurve(outcomes: readonly RoutingOutcome[], scores: ArrayLike<number>): QualityCurve {
  const count = outcomes.length;
  if (count === 0) throw new Error('quality curve needs at least one row');
  if (scores.length !== count) throw new Error(`got ${scores.length} scores for ${count} rows`);
  const order = Array.from({ length: count }, (_, index) => index).sort((left, right) => scores[right] - scores[left]);
  let quality = 0;
  let strongTotal = 0;
  for (const outcome of outcomes) {
    quality += outcome.weak;
    strongTotal += outcome.strong;
  }
  const weakQuality = quality / count;
  const points: CurvePoint[] = [{ strongShare: 0, quality: weakQuality, threshold: Infinity }];
  let position = 0;
  while (position < count) {
    const groupScore = scores[order[position]];
    while (position < count && scores[order[position]] === groupScore) {
      const outcome = outcomes[order[position]];
      quality += outcome.strong - outcome.weak;
      position++;
    }
    points.push({ strongShare: position / count, quality: quality / count, threshold: groupScore });
  }
  return { weakQuality, strongQuality: strongTotal / count, points };
}

/** Quality at a share of strong calls, interpolated along the curve. */
export function qualityAtShare(curve: QualityCurve, strongShare: number): number {
  const points = curve.points;
  if (strongShare <= 0) return points[0].quality;
  for (let index = 1; index < points.length; index++) {
    const right = points[index];
    if (right.strongShare >= strongShare) {
      const left = points[index - 1];
      const fraction = (strongShare - left.strongShare) / (right.strongShare - left.strongShare);
      return left.quality + fraction * (right.quality - left.quality);
    }
  }
  return points[points.length - 1].quality;
}
