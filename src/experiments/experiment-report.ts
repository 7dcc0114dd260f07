/**
 * The report of an experiment, from the request log (counts, cost, latency per arm), the
 * comparisons (the judge's win rate: how often the arm's served answer beat the other model's)
 * and feedback (its mean). Every arm is compared with the first (the control) on each metric.
 */
import type { ComparisonStore } from '../shadow/comparison-store.js';
import type { RequestLogStore } from '../storage/request-log-store.js';
import type { RequestRecord } from '../storage/request-record.js';
import type { ExperimentRoute } from '../routing/strategies/experiment-route.js';
import { compareMeans, meanEstimate, percentileEstimate, type Difference, type Estimate } from './experiment-statistics.js';

const PAGE = 5000;

export interface ArmReport {
  name: string;
  route: string;
  weight: number;
  requests: number;
  errors: number;
  cost_usd: number;
  cost_per_request: Estimate;
  latency_ms: { p50: Estimate; p95: Estimate };
  /** P(the served answer is better than the other model's), over judged comparisons. */
  judge_win_rate: Estimate;
  feedback_mean: Estimate;
}

export interface ArmComparison {
  arm: string;
  against: string;
  metric: 'cost_per_request' | 'latency_ms' | 'judge_win_rate' | 'feedback_mean';
  difference: number;
  p_value: number;
  significant: boolean;
}

export async function experimentReport(experiment: ExperimentRoute, stores: { log: RequestLogStore; comparisons: ComparisonStore }, options: { from?: number; feedbackMetric?: string } = {}): Promise<{ arms: ArmReport[]; comparisons: ArmComparison[]; significant: boolean }> {
  const rows = await experimentRows(stores.log, experiment.name, options.from);
  const byArm = new Map(experiment.arms.map((arm) => [arm.target, [] as RequestRecord[]]));
  for (const row of rows) if (row.route !== null) byArm.get(row.route)?.push(row);
  const feedback = await stores.comparisons.feedbackFor(rows.map((row) => row.id));
  const feedbackByRequest = new Map<string, number[]>();
  for (const entry of feedback) {
    if (options.feedbackMetric !== undefined && entry.metric !== options.feedbackMetric) continue;
    const values = feedbackByRequest.get(entry.request_id);
    if (values) values.push(entry.value);
    else feedbackByRequest.set(entry.request_id, [entry.value]);
  }
  const samples = new Map<string, { cost: number[]; latency: number[]; wins: number[]; feedback: number[] }>();
  const arms: ArmReport[] = [];
  for (const arm of experiment.arms) {
    const armRows = byArm.get(arm.target)!;
    const ids = new Set(armRows.map((row) => row.id));
    const judged = (await stores.comparisons.list({ route: arm.target, since: options.from, limit: 1_000_000_000, labelled: true })).filter((comparison) => ids.has(comparison.request_id));
    const wins = judged.map((comparison) => {
      const strongBetter = comparison.review?.verdict ? (comparison.review.verdict === 'strong_better' ? 1 : comparison.review.verdict === 'weak_ok' ? 0 : 0.5) : comparison.judgement!.label;
      return comparison.served === 'strong' ? strongBetter : 1 - strongBetter;
    });
    const cost = armRows.map((row) => row.cost_usd);
    const latency = armRows.map((row) => row.latency_ms);
    const feedbackValues = armRows.flatMap((row) => feedbackByRequest.get(row.id) ?? []);
    samples.set(arm.name, { cost, latency, wins, feedback: feedbackValues });
    arms.push({
      name: arm.name,
      route: arm.target,
      weight: arm.weight,
      requests: armRows.length,
      errors: armRows.filter((row) => row.status >= 400).length,
      cost_usd: cost.reduce((sum, value) => sum + value, 0),
      cost_per_request: meanEstimate(cost),
      latency_ms: { p50: percentileEstimate(latency, 0.5), p95: percentileEstimate(latency, 0.95) },
      judge_win_rate: meanEstimate(wins),
      feedback_mean: meanEstimate(feedbackValues),
    });
  }
  const control = experiment.arms[0]!.name;
  const comparisons: ArmComparison[] = [];
  for (const arm of experiment.arms.slice(1)) {
    const left = samples.get(control)!;
    const right = samples.get(arm.name)!;
    const add = (metric: ArmComparison['metric'], result: Difference | undefined) => {
      if (result) comparisons.push({ arm: arm.name, against: control, metric, ...result });
    };
    add('cost_per_request', compareMeans(left.cost, right.cost));
    add('latency_ms', compareMeans(left.latency, right.latency));
    add('judge_win_rate', compareMeans(left.wins, right.wins));
    add('feedback_mean', compareMeans(left.feedback, right.feedback));
  }
  return { arms, comparisons, significant: comparisons.some((comparison) => comparison.significant) };
}

/** Every logged request that named the experiment, newest first, paged by timestamp. */
async function experimentRows(store: RequestLogStore, name: string, from?: number): Promise<RequestRecord[]> {
  const rows: RequestRecord[] = [];
  const seen = new Set<string>();
  let before: number | undefined;
  for (;;) {
    const page = await store.search({ model: name, from, before, limit: PAGE });
    for (const row of page) {
      if (row.requested_model !== name || seen.has(row.id)) continue;
      seen.add(row.id);
      rows.push(row);
    }
    if (page.length < PAGE) return rows;
    // Rows sharing the last timestamp are read again on the next page and skipped by id.
    before = page[page.length - 1]!.timestamp + 1;
    if (page.every((row) => seen.has(row.id)) && page[0]!.timestamp === page[page.length - 1]!.timestamp) return rows;
  }
}
