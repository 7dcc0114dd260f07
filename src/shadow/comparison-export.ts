/**
 * Labelled comparisons as routing-dataset rows (the format of `../shared/datasets/routing/`), so
 * `router train`, `router cv`, `router calibrate` and `eval` work on a team's own traffic as they
 * do on the public benchmarks. A row's `scores` follow AlpacaEval's convention, as in
 * `alpaca-dev.jsonl`: each model's probability of beating the strong model's answer, so the strong
 * model scores 0.5 and the weak one 1 − P(strong better).
 *
 * Labels come from a person's verdict first, then the judge. With `feedback`, a comparison with
 * neither, whose caller got the weak answer, is labelled by the caller's feedback on it: a
 * thumbs-down on a weak answer is evidence that the strong model was needed.
 */
import type { RoutingRow } from '../routing/evaluation/routing-dataset.js';
import { comparisonLabel, type Comparison } from './comparison.js';
import type { ComparisonStore, FeedbackEntry } from './comparison-store.js';

export interface ExportOptions {
  route: string;
  /** Only comparisons created at or after this time (ms since epoch). */
  since?: number;
  /** Label otherwise unlabelled comparisons from callers' feedback. */
  feedback?: boolean;
}

export interface ExportedDataset {
  rows: RoutingRow[];
  weak: string;
  strong: string;
  /** How many rows each label source gave, and what was left out. */
  counts: { human: number; judge: number; feedback: number; unlabelled: number; other_pair: number };
}

const EVERY_ROW = 1_000_000_000;

export async function exportComparisons(store: ComparisonStore, options: ExportOptions): Promise<ExportedDataset | undefined> {
  // Oldest first: a file that reads in the order the traffic came.
  const comparisons = (await store.list({ route: options.route, since: options.since, limit: EVERY_ROW })).reverse();
  const newest = comparisons[comparisons.length - 1];
  if (!newest) return undefined;
  // A route whose models changed has comparisons of two pairs; the current pair is the one to learn.
  const weak = newest.weak.model;
  const strong = newest.strong.model;
  const feedback = options.feedback ? feedbackByRequest(await store.feedbackFor(comparisons.map((comparison) => comparison.request_id))) : undefined;
  const counts = { human: 0, judge: 0, feedback: 0, unlabelled: 0, other_pair: 0 };
  const rows: RoutingRow[] = [];
  for (const comparison of comparisons) {
    if (comparison.weak.model !== weak || comparison.strong.model !== strong) {
      counts.other_pair++;
      continue;
    }
    const labelled = comparisonLabel(comparison) ?? feedbackLabel(comparison, feedback);
    if (!labelled) {
      counts.unlabelled++;
      continue;
    }
    counts[labelled.source]++;
    rows.push(rowOf(comparison, labelled.label, labelled.source));
  }
  return { rows, weak, strong, counts };
}

function rowOf(comparison: Comparison, strongBetter: number, source: string): RoutingRow & { label_source: string } {
  const { weak, strong } = comparison;
  return {
    id: comparison.request_id,
    task: `logs/${comparison.route}`,
    prompt: comparison.prompt,
    scores: { [weak.model]: round(1 - strongBetter), [strong.model]: 0.5 },
    responses: { [weak.model]: weak.answer, [strong.model]: strong.answer },
    label_source: source,
  };
}

function feedbackByRequest(entries: readonly FeedbackEntry[]): Map<string, number[]> {
  const byRequest = new Map<string, number[]>();
  for (const entry of entries) {
    // Values outside 0..1 (a 1–5 rating) cannot be read as a probability without a scale; skipped.
    if (entry.value < 0 || entry.value > 1) continue;
    const values = byRequest.get(entry.request_id);
    if (values) values.push(entry.value);
    else byRequest.set(entry.request_id, [entry.value]);
  }
  return byRequest;
}

function feedbackLabel(comparison: Comparison, feedback: Map<string, number[]> | undefined): { label: number; source: 'feedback' } | undefined {
  if (!feedback || comparison.served !== 'weak') return undefined;
  const values = feedback.get(comparison.request_id);
  if (!values || values.length === 0) return undefined;
  const satisfied = values.reduce((sum, value) => sum + value, 0) / values.length;
  return { label: 1 - satisfied, source: 'feedback' };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** The rows as JSON Lines text. */
export function routingRowsText(rows: readonly RoutingRow[]): string {
  return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length > 0 ? '\n' : '');
}
