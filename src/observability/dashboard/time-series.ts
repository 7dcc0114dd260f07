/**
 * The dashboard's charts from the request log: requests, errors, spend, savings against
 * always-flagship by lever, p50/p95 latency, strong/weak shares and escalations per time
 * bucket, and the router-score histogram. One pass over the range's rows (chart columns only);
 * a 10,000-request range is a few milliseconds.
 */
import type { SeriesRow } from '../../storage/request-log-queries.js';

export interface SeriesBucket {
  start: number;
  requests: number;
  errors: number;
  cost_usd: number;
  baseline_cost_usd: number;
  p50_ms: number | null;
  p95_ms: number | null;
  strong: number;
  weak: number;
  escalated: number;
}

export interface TimeSeries {
  from: number;
  to: number;
  bucket_ms: number;
  buckets: SeriesBucket[];
  totals: {
    requests: number;
    errors: number;
    cost_usd: number;
    /** What every request would have cost on its route's flagship (unrouted requests: what they cost). */
    baseline_cost_usd: number;
    saved_usd: { routing: number; cache: number; context: number };
    escalated: number;
    p50_ms: number | null;
    p95_ms: number | null;
  };
  /** Router scores in `bins` equal bins over [0, 1]. */
  router_scores: { bins: number[]; count: number };
}

const SCORE_BINS = 20;

export function buildTimeSeries(rows: readonly SeriesRow[], from: number, to: number, bucketCount: number): TimeSeries {
  const bucketMs = Math.max(1, Math.ceil((to - from) / bucketCount));
  const buckets: SeriesBucket[] = [];
  const latencies: number[][] = [];
  for (let index = 0; index * bucketMs < to - from; index++) {
    buckets.push({ start: from + index * bucketMs, requests: 0, errors: 0, cost_usd: 0, baseline_cost_usd: 0, p50_ms: null, p95_ms: null, strong: 0, weak: 0, escalated: 0 });
    latencies.push([]);
  }
  const totals: TimeSeries['totals'] = { requests: 0, errors: 0, cost_usd: 0, baseline_cost_usd: 0, saved_usd: { routing: 0, cache: 0, context: 0 }, escalated: 0, p50_ms: null, p95_ms: null };
  const scores = new Array<number>(SCORE_BINS).fill(0);
  let scoreCount = 0;
  const all: number[] = [];
  for (const row of rows) {
    const index = Math.min(buckets.length - 1, Math.floor((Number(row.timestamp) - from) / bucketMs));
    const bucket = buckets[index];
    if (!bucket) continue;
    const baseline = row.baseline_cost_usd ?? row.cost_usd;
    bucket.requests++;
    bucket.cost_usd += row.cost_usd;
    bucket.baseline_cost_usd += baseline;
    latencies[index]!.push(row.latency_ms);
    all.push(row.latency_ms);
    totals.requests++;
    totals.cost_usd += row.cost_usd;
    totals.baseline_cost_usd += baseline;
    if (row.status >= 400) {
      bucket.errors++;
      totals.errors++;
    }
    totals.saved_usd.cache += row.cache_saved_usd ?? 0;
    totals.saved_usd.context += row.context_saved_usd ?? 0;
    // The baseline holds the cache's and the context limit's savings too (storage/log-request.ts).
    if (row.baseline_cost_usd !== null) totals.saved_usd.routing += row.baseline_cost_usd - row.cost_usd - (row.cache_saved_usd ?? 0) - (row.context_saved_usd ?? 0);
    const decision = row.route_decision;
    if (decision === 'strong' || decision === 'escalated') bucket.strong++;
    if (decision === 'weak' || decision === 'weak-accepted') bucket.weak++;
    if (decision === 'escalated') {
      bucket.escalated++;
      totals.escalated++;
    }
    if (row.router_score !== null) {
      scores[Math.min(SCORE_BINS - 1, Math.max(0, Math.floor(row.router_score * SCORE_BINS)))]!++;
      scoreCount++;
    }
  }
  buckets.forEach((bucket, index) => {
    const sorted = latencies[index]!.sort((a, b) => a - b);
    bucket.p50_ms = percentile(sorted, 0.5);
    bucket.p95_ms = percentile(sorted, 0.95);
  });
  all.sort((a, b) => a - b);
  totals.p50_ms = percentile(all, 0.5);
  totals.p95_ms = percentile(all, 0.95);
  return { from, to, bucket_ms: bucketMs, buckets, totals, router_scores: { bins: scores, count: scoreCount } };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], share: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}
