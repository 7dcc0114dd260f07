/**
 * Everything `switchboard eval` reports for one router on one dataset: quality of each model,
 * the router's APGR and CPT next to the random and oracle references, and quality, threshold
 * and cost at the shares of strong calls a route would typically be set to.
 */
import { qualityAtShare, qualityCurve, type CurvePoint } from './quality-curve.js';
import { oracleScores, randomReferenceScores } from './reference-routers.js';
import { rowCosts, type CostOptions } from './request-costs.js';
import { REPORTED_SHARES, summariseCurve, type RouterSummary } from './router-summary.js';
import type { RoutingDataset } from './routing-dataset.js';
import { routingOutcomes } from './routing-outcomes.js';
import { calibrateThreshold } from './threshold-calibration.js';

export interface OperatingPoint {
  /** Wanted share of strong calls. */
  strongShare: number;
  /** Threshold that gives the closest share the scores allow. */
  threshold: number;
  /** Quality and cost at exactly `strongShare` along the curve (ties interpolated). */
  quality: number;
  costPer1000: number;
}

export interface DatasetEvaluation {
  dataset: string;
  rows: number;
  weak: string;
  strong: string;
  router: RouterSummary;
  random: RouterSummary;
  oracle: RouterSummary;
  operatingPoints: OperatingPoint[];
  costPer1000: { allWeak: number; allStrong: number };
  /** Models without a catalog price (counted as free). */
  unpricedModels: string[];
  /** Rows per model whose output tokens were assumed, not counted from a recorded answer. */
  assumedOutputRows: Record<string, number>;
  /** Curves for plotting, at most ~200 points each. */
  curves: { router: CurvePoint[]; oracle: CurvePoint[] };
}

export async function evaluateDataset(dataset: RoutingDataset, scores: ArrayLike<number>, options: CostOptions): Promise<DatasetEvaluation> {
  const outcomes = routingOutcomes(dataset.rows, options.weak, options.strong);
  const routerCurve = qualityCurve(outcomes, scores);
  const oracleCurve = qualityCurve(outcomes, oracleScores(outcomes));
  const costs = await rowCosts(dataset.rows, options);
  const costCurve = qualityCurve(costs.perRow, scores);
  const perThousand = (cost: number): number => cost * 1000;
  return {
    dataset: dataset.name,
    rows: dataset.rows.length,
    weak: options.weak,
    strong: options.strong,
    router: summariseCurve(routerCurve),
    random: summariseCurve(qualityCurve(outcomes, randomReferenceScores(outcomes.length))),
    oracle: summariseCurve(oracleCurve),
    operatingPoints: REPORTED_SHARES.map((strongShare) => ({
      strongShare,
      threshold: calibrateThreshold(scores, strongShare).threshold,
      quality: qualityAtShare(routerCurve, strongShare),
      costPer1000: perThousand(qualityAtShare(costCurve, strongShare)),
    })),
    costPer1000: { allWeak: perThousand(costCurve.weakQuality), allStrong: perThousand(costCurve.strongQuality) },
    unpricedModels: costs.unpriced,
    assumedOutputRows: costs.assumedOutputRows,
    curves: { router: thin(routerCurve.points), oracle: thin(oracleCurve.points) },
  };
}

/** Keeps about 200 evenly spaced points (and both ends): plenty for a plot, small for JSON. */
function thin(points: CurvePoint[]): CurvePoint[] {
  const step = Math.max(1, Math.floor(points.length / 200));
  return points.filter((_point, index) => index % step === 0 || index === points.length - 1);
}
