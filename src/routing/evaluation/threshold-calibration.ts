/**
 * Turns a wanted share of strong calls into a threshold. The gateway sends a request to the
 * strong model when its score is ≥ the threshold. Equal scores cannot be split, so the share
 * actually reached is the closest one the scores allow (ties go to the cheaper, smaller share).
 * The threshold sits halfway between the last score sent to the strong model and the next one
 * down, so scores recomputed with tiny floating-point differences land on the same side.
 */

export interface Calibration {
  threshold: number;
  /** The share of the given scores at or above the threshold. */
  strongShare: number;
}

export function calibrateThreshold(scores: ArrayLike<number>, strongShare: number): Calibration {
  if (!(strongShare >= 0 && strongShare <= 1)) throw new RangeError(`strong share must be between 0 and 1, got ${strongShare}`);
  const count = scores.length;
  if (count === 0) throw new RangeError('calibration needs at least one score');
  const sorted = Array.from(scores).sort((left, right) => right - left);
  const top = sorted[0];
  // Candidate cut points: before any score (share 0), then after each tie group.
  let best: Calibration = { threshold: top < 1 ? (top + 1) / 2 : top + 1e-9, strongShare: 0 };
  let position = 0;
  while (position < count) {
    const value = sorted[position];
    while (position < count && sorted[position] === value) position++;
    const share = position / count;
    // Strictly closer by more than rounding error, so equally close shares keep the cheaper one.
    if (Math.abs(share - strongShare) < Math.abs(best.strongShare - strongShare) - 1e-12) {
      const threshold = position < count ? (value + sorted[position]) / 2 : value;
      best = { threshold, strongShare: share };
    }
  }
  return best;
}

/** The share of scores at or above a threshold. */
export function strongShareAtThreshold(scores: ArrayLike<number>, threshold: number): number {
  let strong = 0;
  for (let index = 0; index < scores.length; index++) if (scores[index] >= threshold) strong++;
  return scores.length === 0 ? 0 : strong / scores.length;
}
