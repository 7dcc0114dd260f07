/**
 * A trained router in memory: scores a prompt by how likely the weak model's answer falls short.
 * The hashed weights are expanded into a dense table once at load, so a decision is one pass
 * over the prompt with an array read per n-gram and no allocation per token. A router with
 * domain experts also sums the prompt's static word vectors (one more pass, a table row per
 * word), asks its gate which kind of traffic the prompt is, and mixes the experts' scores,
 * each standardised on its own domain (see `domains` in router-file.ts).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_EMBEDDING_TABLE_PATH, sharedStaticEmbedder } from '../../embedding/default-embedder.js';
import type { StaticEmbedder } from '../../embedding/static-embedder.js';
import { gateProbabilities } from './domain-gate.js';
import { routedText, semanticText } from './feature-vector.js';
import { scanPrompt, STRUCTURE_FEATURES, type PromptScan } from './prompt-features.js';
import { readRouterFile, RouterFileError, type RouterFile, type RouterModel } from './router-file.js';
import { sigmoid } from './logistic-regression.js';

export interface LearnedRouter {
  /** Probability-like score in [0, 1]: higher means the weak model more likely falls short. */
  score(text: string): number;
  readonly weak: string;
  readonly strong: string;
  readonly description: string;
  /** Hashes of the prompts the router was trained on, when its file keeps them. */
  readonly trainingRows?: { prompts: readonly string[] };
}

export interface LearnedRouterOptions {
  /** The embedder for a file with semantic weights or domain experts (the table the file names). */
  embedder?: StaticEmbedder;
}

type LexicalLogit = (scan: PromptScan) => number;

/** One logistic model over a scan: n-gram table, clamped structure measurements, bias. */
function lexicalLogit(features: RouterFile['features'], model: RouterModel): LexicalLogit {
  const table = new Float32Array(2 ** features.hashBits);
  for (let index = 0; index < model.hashedIndices.length; index++) table[model.hashedIndices[index]] = model.hashedWeights[index];
  const structureCount = features.structure.length;
  // The file names the measurements it uses; the scan computes them all, in catalogue order.
  const measurement = Int32Array.from(features.structure, (name) => (STRUCTURE_FEATURES as readonly string[]).indexOf(name));
  // Values outside the training range are clamped to it (version 2 files): a line fitted on
  // prompts of 40 to 5,000 characters says nothing reliable about a 2-character one.
  const lowest = Float64Array.from(features.structureMin ?? features.structure.map(() => -Infinity));
  const highest = Float64Array.from(features.structureMax ?? features.structure.map(() => Infinity));
  // Fold standardisation into the weights: w·(x − mean)/scale = Σ (w/scale)·x − Σ w·mean/scale.
  const structureWeights = new Float64Array(structureCount);
  let bias = model.bias;
  for (let index = 0; index < structureCount; index++) {
    structureWeights[index] = model.structureWeights[index] / features.structureScale[index];
    bias -= structureWeights[index] * features.structureMean[index];
  }
  return (scan) => {
    const buckets = scan.hashed;
    let hashedSum = 0;
    for (let position = 0; position < scan.hashedCount; position++) hashedSum += table[buckets[position]];
    let logit = bias + hashedSum / Math.sqrt(Math.max(1, scan.hashedCount));
    for (let index = 0; index < structureCount; index++) {
      const value = scan.structure[measurement[index]];
      logit += structureWeights[index] * (value < lowest[index] ? lowest[index] : value > highest[index] ? highest[index] : value);
    }
    return logit;
  };
}

export function createLearnedRouter(file: RouterFile, options: LearnedRouterOptions = {}): LearnedRouter {
  const { features } = file;
  const shared = lexicalLogit(features, file.model);
  const embedder = file.semantic || file.domains ? requireEmbedder(file, options.embedder) : undefined;
  const sum = new Float64Array(embedder?.dimensions ?? 0);
  /** Sums the text's word vectors into `sum`; returns its length (0: no known word). */
  const embed = (text: string): number => {
    sum.fill(0);
    if (embedder!.accumulate(semanticText(text), sum) === 0) return 0;
    let squares = 0;
    for (let index = 0; index < sum.length; index++) squares += sum[index] * sum[index];
    return Math.sqrt(squares);
  };
  const semantic = file.semantic ? semanticTerm(file.semantic) : undefined;
  const domains = file.domains;
  const experts = domains?.experts.map((model) => lexicalLogit(features, model)) ?? [];
  const gateWeights = domains?.gateWeights.map((row) => Float64Array.from(row)) ?? [];
  const probabilities = new Float64Array(experts.length);

  return {
    weak: file.weak,
    strong: file.strong,
    description: file.description,
    trainingRows: file.trainingRows,
    score(prompt: string): number {
      const { text, characterCount } = routedText(prompt);
      const scan = scanPrompt(text, features.hashBits, characterCount);
      const length = embedder ? embed(text) : 0;
      if (domains && length > 0) {
        for (let index = 0; index < sum.length; index++) sum[index] /= length;
        gateProbabilities({ gateBias: domains.gateBias, gateWeights }, sum, probabilities);
        let standardised = 0;
        for (let expert = 0; expert < experts.length; expert++) {
          standardised += (probabilities[expert] * (experts[expert](scan) - domains.expertCentre[expert])) / domains.expertSpread[expert];
        }
        const sharedStandardised = (shared(scan) - domains.outputCentre) / domains.outputSpread;
        const mixed = domains.sharedWeight * sharedStandardised + (1 - domains.sharedWeight) * standardised;
        return sigmoid(domains.outputCentre + domains.outputSpread * mixed);
      }
      // Without domains, or for a prompt the table cannot read: the all-rows model.
      let logit = shared(scan);
      if (semantic && length > 0) logit += semantic(sum, length);
      return sigmoid(logit);
    },
  };
}

/**
 * The semantic term of the logit: w·(e − mean)/scale for the normalised embedding e = sum/|sum|,
 * folded as (Σ (w/scale)·sum)/|sum| − Σ (w/scale)·mean. A prompt with no known word adds 0,
 * as in training.
 */
function semanticTerm(block: NonNullable<RouterFile['semantic']>): (sum: Float64Array, length: number) => number {
  const weights = Float64Array.from(block.weights, (weight, index) => weight / block.scale[index]);
  let centre = 0;
  for (let index = 0; index < weights.length; index++) centre += weights[index] * block.mean[index];
  return (sum, length) => {
    let projection = 0;
    for (let index = 0; index < weights.length; index++) projection += weights[index] * sum[index];
    return projection / length - centre;
  };
}

function requireEmbedder(file: RouterFile, embedder: StaticEmbedder | undefined): StaticEmbedder {
  if (!embedder) throw new RouterFileError(`router "${file.description}" reads an embedding table, but none was given`);
  const dimensions = file.semantic?.weights.length ?? file.domains?.gateWeights[0]?.length;
  if (dimensions !== undefined && embedder.dimensions !== dimensions) {
    throw new RouterFileError(`the embedding table has ${embedder.dimensions} dimensions but the router expects ${dimensions}`);
  }
  return embedder;
}

/**
 * Loads a router file made by `switchboard router train`; throws `RouterFileError` naming the
 * file. A file that reads an embedding table finds it beside itself, else among the shipped
 * tables, and refuses one whose SHA-256 is not the one it was trained with.
 */
export function loadLearnedRouter(path: string): LearnedRouter {
  const file = readRouterFile(path);
  if (!file.embeddingTable) return createLearnedRouter(file);
  const { file: name, sha256 } = file.embeddingTable;
  const candidates = [join(dirname(path), name), join(dirname(DEFAULT_EMBEDDING_TABLE_PATH), name)];
  const tablePath = candidates.find((candidate) => existsSync(candidate));
  if (!tablePath) throw new RouterFileError(`${path}: its embedding table ${name} is neither beside it nor shipped (rebuild it with \`npm run embedding:build\`)`);
  let embedder: StaticEmbedder;
  try {
    embedder = sharedStaticEmbedder(tablePath);
  } catch (error) {
    throw new RouterFileError(`${path}: ${(error as Error).message}`);
  }
  if (embedder.sha256 !== sha256) {
    throw new RouterFileError(`${path}: was trained with a different ${name} (SHA-256 ${sha256.slice(0, 12)}…, found ${embedder.sha256.slice(0, 12)}… at ${tablePath}); retrain the router or restore the table`);
  }
  return createLearnedRouter(file, { embedder });
}
