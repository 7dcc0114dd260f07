/**
 * Cross-validates the learned router. For each dataset and each held-out fold, a router is
 * trained on everything else (the other folds and the other datasets, as the shipped router
 * is), then judged on the fold it never saw. Three views per dataset:
 * - random folds: other questions like these;
 * - task-grouped folds: whole tasks (MMLU subjects) unseen, the harder view;
 * - transfer: trained on the other datasets only, a stand-in for an unseen benchmark.
 * Figures are the mean over folds of each fold's own metric, as a router is judged on one
 * held-out set at a time. With `otherWeakModels`, the same routers (trained on the main pair
 * only) are also judged against each other weak model a dataset has scores for: a pair the
 * router was not trained for.
 */
import type { StaticEmbedder } from '../../embedding/static-embedder.js';
import { rawFeatures, type RawFeatures } from '../learned/feature-vector.js';
import { createLearnedRouter } from '../learned/learned-router.js';
import { trainLearnedRouter } from '../learned/train-domain-router.js';
import { DEFAULT_TRAINING, type TrainRouterOptions } from '../learned/train-router.js';
import { assignFolds, type FoldKind } from './folds.js';
import { promptLengthScores } from './reference-routers.js';
import { summariseRouter, type RouterSummary } from './router-summary.js';
import type { RoutingDataset, RoutingRow } from './routing-dataset.js';
import { routingOutcomes } from './routing-outcomes.js';

export type ValidationScheme = 'random-folds' | 'task-folds' | 'transfer';
export type SemanticUse = 'domains' | 'features';

export interface CrossValidationOptions {
  weak: string;
  strong: string;
  folds: number;
  seed?: number;
  schemes?: readonly ValidationScheme[];
  training?: Partial<Omit<TrainRouterOptions, 'weak' | 'strong' | 'features' | 'semantic'>>;
  /** Read the prompt's meaning with this embedder (omit for the lexical router alone). */
  embedder?: StaticEmbedder;
  /** How the embedding is used: a gate over per-benchmark experts (default), or extra features of one model. */
  semanticUse?: SemanticUse;
  /** Weight of the other benchmarks' rows in each domain expert. */
  otherDomainWeight?: number;
  /** Weak models to judge the same routers against as well, where a dataset has their scores. */
  otherWeakModels?: readonly string[];
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
  /** The weak model the figures are measured against (the strong one is the trained pair's). */
  weak: string;
  /** Whether the router was trained for this pair. */
  trainedPair: boolean;
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
  const features = datasets.map((dataset) => dataset.rows.map((row) => rawFeatures(row.prompt, hashBits, options.embedder)));
  const table = { file: 'in-memory', sha256: options.embedder?.sha256 ?? '' };
  const useDomains = options.embedder !== undefined && (options.semanticUse ?? 'domains') === 'domains';
  const semantic = options.embedder && !useDomains ? { embedder: options.embedder, table } : undefined;
  const domains = options.embedder && useDomains ? { embedder: options.embedder, table, otherDomainWeight: options.otherDomainWeight } : undefined;
  const weakModels = (datasetIndex: number): string[] => [
    options.weak,
    ...(options.otherWeakModels ?? []).filter((model) => datasets[datasetIndex].rows.every((row) => model in row.scores)),
  ];
  const splitsByView = planSplits(datasets, options.folds, schemes, options.seed ?? 1);
  const total = [...splitsByView.values()].reduce((sum, splits) => sum + splits.length, 0);
  let done = 0;

  const results: CrossValidationResult[] = [];
  for (const [view, splits] of splitsByView) {
    const [datasetIndex, scheme] = view.split('|') as [string, ValidationScheme];
    const weaks = weakModels(Number(datasetIndex));
    const perFold = splits.map((split) => {
      const trainingRows: RoutingRow[] = [];
      const trainingFeatures: RawFeatures[] = [];
      split.train.forEach((indices, index) => {
        for (const row of indices) {
          trainingRows.push(datasets[index].rows[row]);
          trainingFeatures.push(features[index][row]);
        }
      });
      const file = trainLearnedRouter(trainingRows, { ...options.training, weak: options.weak, strong: options.strong, features: trainingFeatures, semantic, domains });
      const router = createLearnedRouter(file, { embedder: options.embedder });
      const testRows = split.test.map((index) => datasets[split.dataset].rows[index]);
      const scores = testRows.map((row) => router.score(row.prompt));
      const lengths = promptLengthScores(testRows.map((row) => row.prompt));
      const figures = weaks.map((weak) => {
        const outcomes = routingOutcomes(testRows, weak, options.strong);
        return { router: summariseRouter(outcomes, scores), promptLength: summariseRouter(outcomes, lengths) };
      });
      options.onProgress?.(++done, total);
      return figures;
    });
    weaks.forEach((weak, weakIndex) =>
      results.push({
        dataset: datasets[Number(datasetIndex)].name,
        scheme,
        weak,
        trainedPair: weak === options.weak,
        splits: splits.length,
        rows: datasets[Number(datasetIndex)].rows.length,
        router: estimate(perFold.map((fold) => fold[weakIndex].router)),
        promptLength: estimate(perFold.map((fold) => fold[weakIndex].promptLength)),
      }),
    );
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

/** The mean over folds of each fold's own figures, and their standard deviation over folds. */
export function estimate(summaries: readonly RouterSummary[]): ValidatedFigures {
  const of = (pick: (summary: RouterSummary) => number): MetricEstimate => {
    const values = summaries.map(pick);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, values.length - 1);
    return { mean, spread: values.length > 1 ? Math.sqrt(variance) : 0 };
  };
  return { apgr: of((summary) => summary.apgr), cpt50: of((summary) => summary.cpt50), cpt80: of((summary) => summary.cpt80) };
}
