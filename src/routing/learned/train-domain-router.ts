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
import type { RouterFile } from './router-file.js';
import { benchmarkOf } from './training-labels.js';
import { DEFAULT_TRAINING, trainRouter, type SemanticTableReference, type TrainRouterOptions } from './train-router.js';

export interface DomainTrainingOptions {
  embedder: StaticEmbedder;
  table: SemanticTableReference;
  /** Weight of the other benchmarks' rows in each expert (1 = every expert is the shared model). */
  otherDomainWeight?: number;
}

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
  const shared = trainRouter(rows, { ...single, features });
  const experts = names.map((name) => {
    const benchmarkWeights = Object.fromEntries(names.map((other) => [other, (single.benchmarkWeights?.[other] ?? 1) * (other === name ? 1 : otherWeight)]));
    return trainRouter(rows, { ...single, features, benchmarkWeights }).model;
  });
  // Precomputed features may come without embeddings (a lexical-only comparison run).
  const embeddings = features.some((feature) => feature.semantic !== null) ? features.map((feature) => feature.semantic) : rows.map((row) => semanticFeatures(row.prompt, domains.embedder));
  const gate = trainDomainGate(embeddings, rows.map(benchmarkOf), names);
  return {
    ...shared,
    training: { ...shared.training, domainExperts: true, otherDomainWeight: otherWeight },
    embeddingTable: domains.table,
    domains: { ...gate, experts },
  };
}
