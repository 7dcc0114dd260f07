/**
 * A trained router in memory: scores a prompt by how likely the weak model's answer falls short.
 * The hashed weights are expanded into a dense table once at load, so a decision is one pass
 * over the prompt with an array read per n-gram and no allocation per token.
 */
import { scanRawPrompt } from './feature-vector.js';
import { STRUCTURE_FEATURES } from './prompt-features.js';
import { readRouterFile, type RouterFile } from './router-file.js';
import { sigmoid } from './logistic-regression.js';

export interface LearnedRouter {
  /** Probability-like score in [0, 1]: higher means the weak model more likely falls short. */
  score(text: string): number;
  readonly weak: string;
  readonly strong: string;
  readonly description: string;
}

export function createLearnedRouter(file: RouterFile): LearnedRouter {
  const { features, model } = file;
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

  return {
    weak: file.weak,
    strong: file.strong,
    description: file.description,
    score(text: string): number {
      const scan = scanRawPrompt(text, features.hashBits);
      const buckets = scan.hashed;
      let hashedSum = 0;
      for (let position = 0; position < scan.hashedCount; position++) hashedSum += table[buckets[position]];
      let logit = bias + hashedSum / Math.sqrt(Math.max(1, scan.hashedCount));
      for (let index = 0; index < structureCount; index++) {
        const value = scan.structure[measurement[index]];
        logit += structureWeights[index] * (value < lowest[index] ? lowest[index] : value > highest[index] ? highest[index] : value);
      }
      return sigmoid(logit);
    },
  };
}

/** Loads a router file made by `switchboard router train`; throws `RouterFileError` naming the file. */
export function loadLearnedRouter(path: string): LearnedRouter {
  return createLearnedRouter(readRouterFile(path));
}
