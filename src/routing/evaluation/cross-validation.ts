/**
 * Cross-validates the learned router. For each dataset and each held-out fold, a router is
 * trained on everything else (the other folds and the other datasets, as the shipped router
 * is), then judged on the fold it never saw. Three views per dataset:
 * - random folds: other questions like these;
 * - task-grouped folds: whole tasks (MMLU subjects) unseen, the harder view;
 * - transfer: trained on the other datasets only, a stand-in for an unseen benchmark.
 * Figures are the mean over folds of each fold's own metric, as a router is judged on one
 * held-out set at a time.
 */
import { rawFeatures, type RawFeatures } from '../learned/feature-vector.js';
import { createLearnedRouter } from '../learned/learned-router.js';
import { DEFAULT_TRAINING, trainRouter, type TrainRouterOptions } from '../learned/train-router.js';
import { assignFolds, type FoldKind } from './folds.js';
import { promptLengthScores } from './reference-routers.js';
import { summariseRouter, type RouterSummary } from './router-summary.js';
import type { RoutingDataset, RoutingRow } from './routing-dataset.js';
import { routingOutcomes } from './routing-outcomes.js';

export type ValidationScheme = 'random-folds' | 'task-folds' | 'transfer';

export interface CrossValidationOptions {
  weak: string;
  strong: string;
  folds: number;
  seed?: number;
  schemes?: readonly ValidationScheme[];
  training?: Partial<Omit<TrainRouterOptions, 'weak' | 'strong' | 'features'>>;
  /** Called after each trained router, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

export interface MetricEstimate {
  mean: number;
  /** Standard deviation over folds (0 for a single split). */
  spread: number;
}

export interface ValidatedFigures {
  apgr: MetricEstimate;
  cpt50: MetricEstimate;
  cpt80: MetricEstimate;
}

export interface CrossValidationResult {
  dataset: string;
  scheme: ValidationScheme;
  splits: number;
  rows: number;
  router: ValidatedFigures;
  promptLength: ValidatedFigures;
}

interface Split {
  dataset: number;
  scheme: ValidationScheme;
  /** Held-out row indices of `dataset`. */
  test: number[];
  /** Training row indices per dataset. */
  train: number[][];
}

export function crossValidate(datasets: readonly RoutingDataset[], options: CrossValidationOptions): CrossValidationResult[] {
  const schemes = options.schemes ?? ['random-folds', 'task-folds', 'transfer'];
  const hashBits = options.training?.hashBits ?? DEFAULT_TRAINING.hashBits;
  const features = datasets.map((dataset) => dataset.rows.map((row) => rawFeatures(row.prompt, hashBits)));
  const splitsByView = planSplits(datasets, options.folds, schemes, options.seed ?? 1);
  const total = [...splitsByView.values()].reduce((sum, splits) => sum + splits.length, 0);
  let done = 0;

  const results: CrossValidationResult[] = [];
  for (const [view, splits] of splitsByView) {
    const perFold = splits.map((split) => {
      const trainingRows: RoutingRow[] = [];
      const trainingFeatures: RawFeatures[] = [];
      split.train.forEach((indices, datasetIndex) => {
        for (const index of indices) {
          trainingRows.push(datasets[datasetIndex].rows[index]);
          trainingFeatures.push(features[datasetIndex][index]);
        }
      });
      const router = createLearnedRouter(trainRouter(trainingRows, { ...options.training, weak: options.weak, strong: options.strong, features: trainingFeatures }));
      const testRows = split.test.map((index) => datasets[split.dataset].rows[index]);
      const outcomes = routingOutcomes(testRows, options.weak, options.strong);
      const figures = {
        router: summariseRouter(outcomes, testRows.map((row) => router.score(row.prompt))),
        promptLength: summariseRouter(outcomes, promptLengthScores(testRows.map((row) => row.prompt))),
      };
      options.onProgress?.(++done, total);
      return figures;
    });
    const [datasetIndex, scheme] = view.split('|') as [string, ValidationScheme];
    results.push({
      dataset: datasets[Number(datasetIndex)].name,
      scheme,
      splits: splits.length,
      rows: datasets[Number(datasetIndex)].rows.length,
      router: estimate(perFold.map((fold) => fold.router)),
      promptLength: estimate(perFold.map((fold) => fold.promptLength)),
    });
  }
  return results;
}

function planSplits(datasets: readonly RoutingDataset[], foldCount: number, schemes: readonly ValidationScheme[], seed: number): Map<string, Split[]> {
  const views = new Map<string, Split[]>();
  const allRows = (dataset: RoutingDataset): number[] => Array.from(dataset.rows.keys());
  datasets.forEach((dataset, datasetIndex) => {
    const tasks = dataset.rows.map((row) => row.task);
    for (const scheme of schemes) {
      if (scheme === 'transfer') {
        if (datasets.length < 2) continue;
        const train = datasets.map((other, otherIndex) => (otherIndex === datasetIndex ? [] : allRows(other)));
        views.set(`${datasetIndex}|${scheme}`, [{ dataset: datasetIndex, scheme, test: allRows(dataset), train }]);
        continue;
      }
      const kind: FoldKind = scheme === 'task-folds' ? 'task' : 'random';
      if (kind === 'task' && new Set(tasks).size < foldCount) continue;
      const folds = assignFolds(tasks, foldCount, kind, seed);
      const splits: Split[] = [];
      for (let fold = 0; fold < foldCount; fold++) {
        const test = allRows(dataset).filter((index) => folds[index] === fold);
        const train = datasets.map((other, otherIndex) => (otherIndex === datasetIndex ? test.length === 0 ? allRows(other) : allRows(other).filter((index) => folds[index] !== fold) : allRows(other)));
        splits.push({ dataset: datasetIndex, scheme, test, train });
      }
      views.set(`${datasetIndex}|${scheme}`, splits);
    }
  });
  return views;
}

function estimate(summaries: readonly RouterSummary[]): ValidatedFigures {
  const of = (pick: (summary: RouterSummary) => number): MetricEstimate => {
    const values = summaries.map(pick);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, values.length - 1);
    return { mean, spread: values.length > 1 ? Math.sqrt(variance) : 0 };
  };
  return { apgr: of((summary) => summary.apgr), cpt50: of((summary) => summary.cpt50), cpt80: of((summary) => summary.cpt80) };
}
