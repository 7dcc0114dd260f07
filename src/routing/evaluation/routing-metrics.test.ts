import { describe, expect, it } from 'vitest';
import { qualityAtShare, qualityCurve, type RoutingOutcome } from './quality-curve.js';
import { averagePerformanceGapRecovered, callPerformanceThreshold } from './routing-metrics.js';
import { summariseRouter } from './router-summary.js';
import { oracleScores, randomReferenceScores } from './reference-routers.js';

// Weak quality 0.5, strong 1: rows 0 and 1 need the strong model, rows 2 and 3 do not.
const outcomes: RoutingOutcome[] = [
  { weak: 0, strong: 1 },
  { weak: 0, strong: 1 },
  { weak: 1, strong: 1 },
  { weak: 1, strong: 1 },
];

describe('routing metrics', () => {
  it('gives the oracle APGR 0.75, CPT(50%) 25% and CPT(80%) 40% on a four-row dataset', () => {
    const curve = qualityCurve(outcomes, oracleScores(outcomes));
    expect(averagePerformanceGapRecovered(curve)).toBeCloseTo(0.75, 12);
    expect(callPerformanceThreshold(curve, 0.5)).toBeCloseTo(0.25, 12);
    expect(callPerformanceThreshold(curve, 0.8)).toBeCloseTo(0.4, 12);
  });

  it('gives the inverse of the oracle APGR 0.25', () => {
    const inverse = Array.from(oracleScores(outcomes), (score) => -score);
    const curve = qualityCurve(outcomes, inverse);
    expect(averagePerformanceGapRecovered(curve)).toBeCloseTo(0.25, 12);
    expect(callPerformanceThreshold(curve, 0.5)).toBeCloseTo(0.75, 12);
  });

  it('gives random routing (all scores tied) exactly APGR 0.5, CPT(50%) 50% and CPT(80%) 80%', () => {
    const summary = summariseRouter(outcomes, randomReferenceScores(outcomes.length));
    expect(summary.apgr).toBeCloseTo(0.5, 12);
    expect(summary.cpt50).toBeCloseTo(0.5, 12);
    expect(summary.cpt80).toBeCloseTo(0.8, 12);
    expect(summary.qualityAtShare['0.3']).toBeCloseTo(0.65, 12);
  });

  it('treats tied scores the same whatever order the rows come in', () => {
    const scores = [0.9, 0.5, 0.5, 0.1];
    const reordered = [3, 2, 1, 0];
    const forward = qualityCurve(outcomes, scores);
    const backward = qualityCurve(
      reordered.map((index) => outcomes[index]),
      reordered.map((index) => scores[index]),
    );
    // Rows 1 (needs strong) and 2 (does not) tie: the curve runs straight across them.
    expect(forward.points.map((point) => [point.strongShare, point.quality])).toEqual([
      [0, 0.5],
      [0.25, 0.75],
      [0.75, 1],
      [1, 1],
    ]);
    expect(backward.points).toEqual(forward.points);
    expect(qualityAtShare(forward, 0.5)).toBeCloseTo(0.875, 12);
  });

  it('reports a PGR above 1 for the oracle when the weak model sometimes beats the strong one', () => {
    const mixed: RoutingOutcome[] = [
      { weak: 0, strong: 1 },
      { weak: 1, strong: 0 },
    ];
    const curve = qualityCurve(mixed, oracleScores(mixed));
    expect(curve.weakQuality).toBe(0.5);
    expect(curve.strongQuality).toBe(0.5);
    expect(Number.isNaN(averagePerformanceGapRecovered(curve))).toBe(true);
  });

  it('works with 1–10 judge scores', () => {
    const judged: RoutingOutcome[] = [
      { weak: 4, strong: 9 },
      { weak: 8, strong: 8 },
    ];
    const curve = qualityCurve(judged, [1, 0]);
    expect(curve.points.map((point) => point.quality)).toEqual([6, 8.5, 8.5]);
    expect(averagePerformanceGapRecovered(curve)).toBeCloseTo(0.75, 12);
  });

  it('refuses scores that do not match the rows', () => {
    expect(() => qualityCurve(outcomes, [1, 2])).toThrow('got 2 scores for 4 rows');
  });
});
