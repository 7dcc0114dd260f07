/** The figures reported for one router on one dataset. */
import { qualityAtShare, qualityCurve, type QualityCurve, type RoutingOutcome } from './quality-curve.js';
import { averagePerformanceGapRecovered, callPerformanceThreshold } from './routing-metrics.js';

/** Shares of strong calls at which quality is reported. */
export const REPORTED_SHARES = [0.2, 0.3, 0.5] as const;

export interface RouterSummary {
  weakQuality: number;
  strongQuality: number;
  apgr: number;
  /** CPT(50%) and CPT(80%): shares of strong calls, 0..1. */
  cpt50: number;
  cpt80: number;
  /** Quality at 20%, 30% and 50% strong calls, keyed by share ("0.2"). */
  qualityAtShare: Record<string, number>;
}

export function summariseRouter(outcomes: readonly RoutingOutcome[], scores: ArrayLike<number>): RouterSummary {
  return summariseCurve(qualityCurve(outcomes, scores));
}

export function summariseCurve(curve: QualityCurve): RouterSummary {
  return {
    weakQuality: curve.weakQuality,
    strongQuality: curve.strongQuality,
    apgr: averagePerformanceGapRecovered(curve),
    cpt50: callPerformanceThreshold(curve, 0.5),
    cpt80: callPerformanceThreshold(curve, 0.8),
    qualityAtShare: Object.fromEntries(REPORTED_SHARES.map((share) => [String(share), qualityAtShare(curve, share)])),
  };
}
