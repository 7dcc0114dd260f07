/**
 * The statistics of an experiment report: means with 95% confidence intervals (normal
 * approximation), percentiles with distribution-free intervals (binomial order statistics), and
 * Welch's test for a difference in means. The normal approximation is what makes "significant"
 * honest only with enough samples, so a comparison needs `MIN_SAMPLES` per arm before it may be
 * called significant.
 */

export const Z_95 = 1.959964;
/** Samples per arm before a difference may be called significant (the normal approximation's usual floor). */
export const MIN_SAMPLES = 30;

export interface Estimate {
  value: number | null;
  low: number | null;
  high: number | null;
  n: number;
}

export function meanEstimate(values: readonly number[]): Estimate {
  const n = values.length;
  if (n === 0) return { value: null, low: null, high: null, n };
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n < 2) return { value: mean, low: null, high: null, n };
  const half = (Z_95 * Math.sqrt(variance(values, mean))) / Math.sqrt(n);
  return { value: mean, low: mean - half, high: mean + half, n };
}

/** The `quantile` (0.5 for the median) by nearest rank, with its 95% interval from the ranks a binomial allows. */
export function percentileEstimate(values: readonly number[], quantile: number): Estimate {
  const n = values.length;
  if (n === 0) return { value: null, low: null, high: null, n };
  const sorted = [...values].sort((left, right) => left - right);
  const at = (rank: number) => sorted[Math.min(n - 1, Math.max(0, rank))]!;
  const spread = Z_95 * Math.sqrt(n * quantile * (1 - quantile));
  return { value: at(Math.ceil(quantile * n) - 1), low: at(Math.floor(n * quantile - spread) - 1), high: at(Math.ceil(n * quantile + spread)), n };
}

export interface Difference {
  /** candidate − control */
  difference: number;
  p_value: number;
  significant: boolean;
}

/** Welch's test of two means (normal approximation); undefined without two samples on each side. */
export function compareMeans(control: readonly number[], candidate: readonly number[]): Difference | undefined {
  if (control.length < 2 || candidate.length < 2) return undefined;
  const meanControl = control.reduce((sum, value) => sum + value, 0) / control.length;
  const meanCandidate = candidate.reduce((sum, value) => sum + value, 0) / candidate.length;
  const standardError = Math.sqrt(variance(control, meanControl) / control.length + variance(candidate, meanCandidate) / candidate.length);
  const difference = meanCandidate - meanControl;
  const pValue = standardError === 0 ? (difference === 0 ? 1 : 0) : 2 * (1 - normalCdf(Math.abs(difference) / standardError));
  return { difference, p_value: pValue, significant: pValue < 0.05 && Math.min(control.length, candidate.length) >= MIN_SAMPLES };
}

function variance(values: readonly number[], mean: number): number {
  return values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
}

/** Φ(x), from erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - polynomial * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
