/**
 * Sparse feature vectors for training. Scoring does not build them (it sums weights while
 * scanning, see `learned-router.ts`), but both go through `normalisePrompt` and `scanPrompt`
 * with the same scaling, so what a router learned is exactly what it sees at request time.
 */
import { boundPrompt, normalisePrompt } from './prompt-normalisation.js';
import { scanPrompt, type PromptScan } from './prompt-features.js';

/** The one way a prompt becomes features, for training and scoring alike. */
export function scanRawPrompt(prompt: string, hashBits: number): PromptScan {
  const bounded = boundPrompt(prompt);
  const normalised = normalisePrompt(bounded);
  return scanPrompt(normalised, hashBits, normalised.length + (prompt.length - bounded.length));
}

export interface RawFeatures {
  /** Hashed bucket → value (occurrences / √total occurrences). */
  hashed: Map<number, number>;
  /** Unstandardised structure measurements. */
  structure: Float64Array;
}

export function rawFeatures(prompt: string, hashBits: number): RawFeatures {
  const counts = new Map<number, number>();
  const scan = scanRawPrompt(prompt, hashBits);
  for (let position = 0; position < scan.hashedCount; position++) counts.set(scan.hashed[position], (counts.get(scan.hashed[position]) ?? 0) + 1);
  const scale = 1 / Math.sqrt(Math.max(1, scan.hashedCount));
  for (const [index, count] of counts) counts.set(index, count * scale);
  return { hashed: counts, structure: scan.structure };
}
