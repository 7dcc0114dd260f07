/**
 * Trains a learned router from routing datasets: logistic regression over hashed n-grams and
 * structure features (see `prompt-features.ts`), predicting the weak model's shortfall
 * (see `training-labels.ts`). Deterministic: the same rows and options give the same file.
 */
import type { StaticEmbedder } from '../../embedding/static-embedder.js';
import type { RoutingRow } from '../evaluation/routing-dataset.js';
import { rawFeatures, type RawFeatures } from './feature-vector.js';
import { fitLogisticRegression, type TrainingExample } from './logistic-regression.js';
import { STRUCTURE_FEATURES, type StructureFeature } from './prompt-features.js';
import { ROUTER_FILE_FORMAT, ROUTER_FILE_VERSION, type RouterFile } from './router-file.js';
import { trainingRowHashes } from './training-rows.js';
import { benchmarkOf, labelScale, trainingLabel, type LabelKind, type LabelScale } from './training-labels.js';

export interface TrainRouterOptions {
  weak: string;
  strong: string;
  description?: string;
  /** Datasets the rows came from, recorded in the file. */
  trainedOn?: { name: string; rows: number }[];
  /** L2 penalty on n-gram weights. Chosen by cross-validation (docs/routing-quality.md). */
  l2?: number;
  /** L2 penalty on the few structure weights, which need little: they are dense and well determined. */
  structureL2?: number;
  /** What to predict (see `training-labels.ts`). */
  label?: LabelKind;
  /** log2 of the number of hashed n-gram buckets. */
  hashBits?: number;
  /** Keep only this many hashed weights (largest magnitude first) to keep the file small. */
  maxHashedFeatures?: number;
  /** Ignore n-grams seen in fewer training rows than this: they can only memorise, not generalise. */
  minRows?: number;
  /**
   * Learn a separate intercept per benchmark while training, so the other weights explain
   * differences within a benchmark rather than between them (otherwise "has digits" soaks up
   * GSM8K's higher failure rate, and ranks MMLU maths questions as hard, which they are not).
   * The shipped intercept is the mean of the benchmark intercepts.
   */
  benchmarkOffsets?: boolean;
  /** Structure measurements the router uses (names from `STRUCTURE_FEATURES`). */
  structureFeatures?: readonly StructureFeature[];
  /**
   * Share of training rows below (and above) the clamp range of each structure feature: 0
   * clamps to the training minimum and maximum. Scoring clamps to this range.
   */
  clampQuantile?: number;
  /**
   * Added to the (standardised) log-length weight after fitting: an ensemble with the
   * prompt-length ranker. Length is the one signal that carries over between the benchmarks
   * (ranking by length alone scores APGR ≈ 0.58 on each), while within one benchmark the fit
   * spreads it across correlated features; the prior keeps it. Chosen by the transfer folds.
   */
  lengthPrior?: number;
  /** Give each benchmark the same total weight, so a large dataset does not drown a small one. */
  balanceBenchmarks?: boolean;
  /**
   * Multiplies the weight of every row of a benchmark (after balancing), for example
   * `{ mmlu: 0.3 }` to mix a base dataset in at a third of the weight of the team's own rows.
   */
  benchmarkWeights?: Readonly<Record<string, number>>;
  /**
   * The meaning of the prompt: its static embedding (see `src/embedding/`), one more block of
   * dense features beside the n-grams. `table` names the embedding table in the router file.
   */
  semantic?: { embedder: StaticEmbedder; table: SemanticTableReference };
  /**
   * Benchmarks whose judge-probability labels count the whole 0..1 range as a full gap (softer
   * labels, see `labelScale`); a domain expert reads the other domains' labels this way.
   */
  softLabelBenchmarks?: readonly string[];
  /** L2 penalty on the (standardised) embedding dimensions. */
  semanticL2?: number;
  /** Precomputed features of `rows`, in order (cross-validation reuses them across folds). */
  features?: readonly RawFeatures[];
}

/** The measurements new routers use: all but `digit_ratio`, kept only so older files still score. */
export const DEFAULT_STRUCTURE_FEATURES: readonly StructureFeature[] = STRUCTURE_FEATURES.filter((name) => name !== 'digit_ratio');

export const DEFAULT_TRAINING = {
  l2: 0.01,
  structureL2: 0.0003,
  label: 'gain',
  hashBits: 18,
  maxHashedFeatures: 60_000,
  minRows: 2,
  benchmarkOffsets: true,
  balanceBenchmarks: true,
  clampQuantile: 0.01,
  lengthPrior: 0.2,
  semanticL2: 0.03,
} as const;

/** Which embedding table a router was trained with: its file name and SHA-256, checked at load. */
export interface SemanticTableReference {
  file: string;
  sha256: string;
}

export function trainRouter(rows: readonly RoutingRow[], options: TrainRouterOptions): RouterFile {
  const { weak, strong } = options;
  const l2 = options.l2 ?? DEFAULT_TRAINING.l2;
  const structureL2 = options.structureL2 ?? DEFAULT_TRAINING.structureL2;
  const label: LabelKind = options.label ?? DEFAULT_TRAINING.label;
  const hashBits = options.hashBits ?? DEFAULT_TRAINING.hashBits;
  const maxHashedFeatures = options.maxHashedFeatures ?? DEFAULT_TRAINING.maxHashedFeatures;
  const balanceBenchmarks = options.balanceBenchmarks ?? DEFAULT_TRAINING.balanceBenchmarks;
  const minRows = options.minRows ?? DEFAULT_TRAINING.minRows;
  const benchmarkOffsets = options.benchmarkOffsets ?? DEFAULT_TRAINING.benchmarkOffsets;
  const structureNames = options.structureFeatures ?? DEFAULT_STRUCTURE_FEATURES;
  const clampQuantile = options.clampQuantile ?? DEFAULT_TRAINING.clampQuantile;
  const lengthPrior = options.lengthPrior ?? DEFAULT_TRAINING.lengthPrior;
  const semanticL2 = options.semanticL2 ?? DEFAULT_TRAINING.semanticL2;
  const embedder = options.semantic?.embedder;
  if (rows.length === 0) throw new Error('training needs at least one row');
  for (const row of rows) {
    if (!(weak in row.scores) || !(strong in row.scores)) throw new Error(`row "${row.id}" has no score for "${weak}" or "${strong}"`);
  }

  const features = options.features ?? rows.map((row) => rawFeatures(row.prompt, hashBits, embedder));
  if (embedder && features.some((feature) => feature.semantic !== null && feature.semantic.length !== embedder.dimensions)) {
    throw new Error(`precomputed semantic features do not have the embedder's ${embedder.dimensions} dimensions`);
  }
  const semanticCount = embedder ? embedder.dimensions : 0;
  const semanticStandard = embedder ? semanticStandardisation(features, semanticCount) : { mean: [], scale: [] };
  const structureCount = structureNames.length;
  const measurements = features.map((feature) => Float64Array.from(structureNames, (name) => feature.structure[STRUCTURE_FEATURES.indexOf(name)]));
  const { lowest, highest } = structureRange(measurements, structureCount, clampQuantile);
  // Training sees the clamped values too, so the weights fit exactly what scoring computes.
  for (const values of measurements) for (let index = 0; index < structureCount; index++) values[index] = Math.min(highest[index], Math.max(lowest[index], values[index]));
  const { mean, scale } = standardisation(measurements, structureCount);

  // Benchmarks: label scale and weight per benchmark.
  const byBenchmark = new Map<string, RoutingRow[]>();
  for (const row of rows) {
    const name = benchmarkOf(row);
    const members = byBenchmark.get(name);
    if (members) members.push(row);
    else byBenchmark.set(name, [row]);
  }
  const scales = new Map<string, LabelScale>();
  const rowWeight = new Map<string, number>();
  for (const [name, members] of byBenchmark) {
    scales.set(name, labelScale(members, weak, strong, options.softLabelBenchmarks?.includes(name) ?? false));
    rowWeight.set(name, (balanceBenchmarks ? rows.length / (byBenchmark.size * members.length) : 1) * (options.benchmarkWeights?.[name] ?? 1));
  }

  // Train over the buckets actually used, numbered compactly, then map back.
  const rowCounts = new Map<number, number>();
  for (const feature of features) for (const bucket of feature.hashed.keys()) rowCounts.set(bucket, (rowCounts.get(bucket) ?? 0) + 1);
  const compact = new Map<number, number>();
  for (const [bucket, count] of rowCounts) if (count >= minRows) compact.set(bucket, compact.size);
  const hashedCount = compact.size;
  const benchmarks = [...byBenchmark.keys()];
  const offsetCount = benchmarkOffsets && benchmarks.length > 1 ? benchmarks.length : 0;
  const examples: TrainingExample[] = rows.map((row, rowIndex) => {
    const feature = features[rowIndex];
    const kept = [...feature.hashed].filter(([bucket]) => compact.has(bucket));
    const semantic = feature.semantic;
    const indices = new Int32Array(kept.length + structureCount + (semantic ? semanticCount : 0) + (offsetCount > 0 ? 1 : 0));
    const values = new Float64Array(indices.length);
    let position = 0;
    for (const [bucket, value] of kept) {
      indices[position] = compact.get(bucket)!;
      values[position++] = value;
    }
    for (let index = 0; index < structureCount; index++) {
      indices[position] = hashedCount + index;
      values[position++] = (measurements[rowIndex][index] - mean[index]) / scale[index];
    }
    // A prompt without a known word has no embedding: its semantic block stays at the mean (0).
    if (semantic) {
      for (let index = 0; index < semanticCount; index++) {
        indices[position] = hashedCount + structureCount + index;
        values[position++] = (semantic[index] - semanticStandard.mean[index]) / semanticStandard.scale[index];
      }
    }
    const benchmark = benchmarkOf(row);
    if (offsetCount > 0) {
      indices[position] = hashedCount + structureCount + semanticCount + benchmarks.indexOf(benchmark);
      values[position++] = 1;
    }
    return { features: { indices, values }, label: trainingLabel(label, row, weak, strong, scales.get(benchmark)!), weight: rowWeight.get(benchmark)! };
  });
  const semanticStart = hashedCount + structureCount;
  const offsetStart = semanticStart + semanticCount;
  const dimension = offsetStart + offsetCount;
  const penalties = new Float64Array(dimension).fill(l2);
  penalties.fill(structureL2, hashedCount, semanticStart);
  penalties.fill(semanticL2, semanticStart, offsetStart);
  // A token penalty on the offsets only pins down how they share the level with the bias.
  penalties.fill(1e-6, offsetStart);
  const model = fitLogisticRegression(examples, { dimension, l2: penalties });
  let bias = model.bias;
  for (let index = 0; index < offsetCount; index++) bias += model.weights[offsetStart + index] / offsetCount;

  const kept = [...compact.entries()]
    .map(([bucket, position]) => ({ bucket, weight: model.weights[position] }))
    .sort((left, right) => Math.abs(right.weight) - Math.abs(left.weight) || left.bucket - right.bucket)
    .slice(0, maxHashedFeatures)
    .sort((left, right) => left.bucket - right.bucket);

  return {
    format: ROUTER_FILE_FORMAT,
    version: ROUTER_FILE_VERSION,
    description: options.description ?? `learned router: ${weak} (weak) vs ${strong} (strong), trained on ${rows.length} rows`,
    weak,
    strong,
    trainedOn: options.trainedOn ?? [...byBenchmark].map(([name, members]) => ({ name, rows: members.length })),
    training: {
      label,
      l2,
      structureL2,
      hashBits,
      minRows,
      maxHashedFeatures,
      balanceBenchmarks,
      benchmarkOffsets,
      clampQuantile,
      lengthPrior,
      ...(embedder ? { semanticL2 } : {}),
      ...Object.fromEntries(Object.entries(options.benchmarkWeights ?? {}).map(([name, weight]) => [`weight:${name}`, weight])),
    },
    features: {
      hashBits,
      structure: [...structureNames],
      structureMean: mean.map(round),
      structureScale: scale.map(round),
      // Not rounded: the range must hold the training values exactly (and it is only 2 × a few numbers).
      structureMin: lowest,
      structureMax: highest,
    },
    model: {
      kind: 'logistic-regression',
      bias: round(bias),
      structureWeights: Array.from(model.weights.subarray(hashedCount, hashedCount + structureCount), (weight, index) =>
        round(structureNames[index] === 'log_characters' ? weight + lengthPrior : weight),
      ),
      hashedIndices: kept.map((entry) => entry.bucket),
      hashedWeights: kept.map((entry) => round(entry.weight)),
    },
    ...(options.semantic
      ? {
          embeddingTable: options.semantic.table,
          semantic: {
            mean: semanticStandard.mean.map(round),
            scale: semanticStandard.scale.map(round),
            weights: Array.from(model.weights.subarray(semanticStart, offsetStart), round),
          },
        }
      : {}),
    trainingRows: trainingRowHashes(rows),
  };
}

/** Mean and standard deviation of each embedding dimension over the rows that have one. */
function semanticStandardisation(features: readonly RawFeatures[], count: number): { mean: number[]; scale: number[] } {
  const embedded = features.flatMap((feature) => (feature.semantic ? [Float64Array.from(feature.semantic)] : []));
  if (embedded.length === 0) return { mean: new Array<number>(count).fill(0), scale: new Array<number>(count).fill(1) };
  return standardisation(embedded, count);
}

/** The `quantile` and 1 − `quantile` points of each measurement over the training rows. */
function structureRange(measurements: readonly Float64Array[], count: number, quantile: number): { lowest: number[]; highest: number[] } {
  const lowest: number[] = [];
  const highest: number[] = [];
  for (let index = 0; index < count; index++) {
    const sorted = measurements.map((values) => values[index]).sort((left, right) => left - right);
    const position = Math.min(sorted.length - 1, Math.floor(quantile * sorted.length));
    lowest.push(sorted[position]);
    highest.push(sorted[sorted.length - 1 - position]);
  }
  return { lowest, highest };
}

function standardisation(measurements: readonly Float64Array[], count: number): { mean: number[]; scale: number[] } {
  const mean = new Array<number>(count).fill(0);
  const scale = new Array<number>(count).fill(0);
  for (const values of measurements) for (let index = 0; index < count; index++) mean[index] += values[index] / measurements.length;
  for (const values of measurements) for (let index = 0; index < count; index++) scale[index] += (values[index] - mean[index]) ** 2 / measurements.length;
  // A constant feature gets scale 1 (its standardised value is then always 0).
  return { mean, scale: scale.map((variance) => (variance > 1e-12 ? Math.sqrt(variance) : 1)) };
}

/** Five significant digits: more precision than the weights carry, and a third of the file size. */
function round(value: number): number {
  return Number(value.toPrecision(5));
}

