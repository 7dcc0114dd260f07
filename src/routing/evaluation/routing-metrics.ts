/**
 * The metrics routers are judged by (defined in the routing datasets README):
 * PGR, the share of the weak→strong quality gap recovered; APGR, its area over shares 0..1;
 * CPT(x), the smallest share of strong calls that recovers x of the gap.
 */
import type { QualityCurve } from './quality-curve.js';

/** Performance gap recovered at a quality; NaN when both models score the same. */
export function performanceGapRecovered(curve: QualityCurve, quality: number): number {
  const gap = curve.strongQuality - curve.weakQuality;
  return gap === 0 ? Number.NaN : (quality - curve.weakQuality) / gap;
}

/** Area under the PGR curve over shares 0..1 (random routing ≈ 0.5). Exact for the piecewise-linear curve. */
export function averagePerformanceGapRecovered(curve: QualityCurve): number {
  let area = 0;
  const points = curve.points;
  for (let index = 1; index < points.length; index++) {
    const left = points[index - 1];
    const right = points[index];
    area += ((right.strongShare - left.strongShare) * (left.quality + right.quality)) / 2;
  }
  return performanceGapRecovered(curve, area);
}

/**
 * Call-performance threshold: the smallest share of strong calls whose PGR reaches `target`
 * (0.5 for CPT(50%)), interpolated inside a segment. NaN when both models score the same.
 */
export function callPerformanceThreshold(curve: QualityCurve, target: number): number {
  const points = curve.points;
  const pgr = points.map((point) => performanceGapRecovered(curve, point.quality));
  if (Number.isNaN(pgr[0])) return Number.NaN;
  if (pgr[0] >= target) return 0;
  for (let index = 1; index < points.length; index++) {
    if (pgr[index] >= target) {
      const fraction = (target - pgr[index - 1]) / (pgr[index] - pgr[index - 1]);
      return points[index - 1].strongShare + fraction * (points[index].strongShare - points[index - 1].strongShare);
    }
  }
  return 1;
}
