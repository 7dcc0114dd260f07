/**
 * Trains a domain-expert router: one lexical model per training benchmark plus a gate that
 * reads the prompt's meaning (its static embedding) to say which benchmark's traffic it is
 * like. A single model over several kinds of traffic has to share its weights between them,
 * and their signals disagree (a longer prompt means a harder MMLU question, but an easier win
 * for the weak model on open chat), so adding chat data made maths worse. Each expert is
 * trained on every row, with the other benchmarks' rows down-weighted (`otherDomainWeight`), so
 * it still learns what carries over. The all-rows model stays in the file as `model`: it scores
 * prompts the embedding table cannot read (no English word), on lexical features alone.
 */
import type { StaticEmbedder } from '../../embedding/static-embedder.js';
import type { RoutingRow } from '../evaluation/routing-dataset.js';
import { trainDomainGate } from './domain-gate.js';
import { rawFeatures, semanticFeatures } from './feature-vector.js';
import { createLearnedRouter } from './learned-router.js';
import type { RouterFile, RouterModel } from './router-file.js';
import { benchmarkOf } from './training-labels.js';
import { DEFAULT_TRAINING, trainRouter, type SemanticTableReference, type TrainRouterOptions } from './train-router.js';

export interface DomainTrainingOptions {
  embedder: StaticEmbedder;
  table: SemanticTableReference;
  /** Weight of the other benchmarks' rows in each expert (1 = every expert is the shared model). */
  otherDomainWeight?: number;
  /** Share of the all-rows model in the mix (0: experts only). */
  sharedWeight?: number;
}

export const DEFAULT_SHARED_WEIGHT = 0.9;

export const DEFAULT_OTHER_DOMAIN_WEIGHT = 0.3;

/**
 * With `domains` and at least two benchmarks in `rows`, a domain-expert router; otherwise the
 * single model of `trainRouter`. The same rows and options give the same file.
 */
export function trainLearnedRouter(rows: readonly RoutingRow[], options: TrainRouterOptions & { domains?: DomainTrainingOptions }): RouterFile {
  const { domains, ...single } = options;
  const names = [...new Set(rows.map(benchmarkOf))].sort();
  if (!domains || names.length < 2) return trainRouter(rows, single);
  if (single.semantic) throw new Error('domain experts and semantic weights are not trained together');
  const hashBits = single.hashBits ?? DEFAULT_TRAINING.hashBits;
  const features = single.features ?? rows.map((row) => rawFeatures(row.prompt, hashBits, domains.embedder));
  const otherWeight = domains.otherDomainWeight ?? DEFAULT_OTHER_DOMAIN_WEIGHT;
  // The fallback reads every domain's judge labels softly; each expert reads its own at full
  // strength and the others' softly (cross-validation: full-strength chat labels in the maths
  // expert cost GSM8K 0.625 → 0.579 APGR, soft ones in the chat expert cost chat 0.534 → 0.494).
  const shared = trainRouter(rows, { ...single, features, softLabelBenchmarks: names });
  const experts = names.map((name) => {
    const benchmarkWeights = Object.fromEntries(names.map((other) => [other, (single.benchmarkWeights?.[other] ?? 1) * (other === name ? 1 : otherWeight)]));
    return trainRouter(rows, { ...single, features, benchmarkWeights, softLabelBenchmarks: names.filter((other) => other !== name) }).model;
  });
  // Precomputed features may come without embeddings (a lexical-only comparison run).
  const embeddings = features.some((feature) => feature.semantic !== null) ? features.map((feature) => feature.semantic) : rows.map((row) => semanticFeatures(row.prompt, domains.embedder));
  const gate = trainDomainGate(embeddings, rows.map(benchmarkOf), names);
  // Per-domain calibration: each expert's logit is standardised on its own domain's rows.
  const domainOf = rows.map(benchmarkOf);
  const logitsOf = (model: RouterModel, members: readonly RoutingRow[]): number[] => {
    const router = createLearnedRouter({ ...shared, model });
    return members.map((row) => logit(router.score(row.prompt)));
  };
  const expertCentre: number[] = [];
  const expertSpread: number[] = [];
  names.forEach((name, index) => {
    const { mean, spread } = meanAndSpread(logitsOf(experts[index], rows.filter((_row, position) => domainOf[position] === name)));
    expertCentre.push(round(mean));
    expertSpread.push(round(spread));
  });
  const output = meanAndSpread(logitsOf(shared.model, rows));
  return {
    ...shared,
    training: { ...shared.training, domainExperts: true, otherDomainWeight: otherWeight },
    embeddingTable: domains.table,
    domains: {
      ...gate,
      experts,
      expertCentre,
      expertSpread,
      outputCentre: round(output.mean),
      outputSpread: round(output.spread),
      sharedWeight: domains.sharedWeight ?? DEFAULT_SHARED_WEIGHT,
    },
  };
}

function logit(probability: number): number {
  const clamped = Math.min(1 - 1e-9, Math.max(1e-9, probability));
  return Math.log(clamped / (1 - clamped));
}

function meanAndSpread(values: readonly number[]): { mean: number; spread: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return { mean, spread: Math.sqrt(variance) > 1e-6 ? Math.sqrt(variance) : 1 };
}

function round(value: number): number {
  return Number(value.toPrecision(6));
}
