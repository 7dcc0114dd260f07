/**
 * Sparse feature vectors for training. Scoring does not build them (it sums weights while
 * scanning, see `learned-router.ts`), but both go through `normalisePrompt` and `scanPrompt`
 * with the same scaling, so what a router learned is exactly what it sees at request time.
 */
import { normalisePrompt } from './prompt-normalisation.js';
import { scanPrompt } from './prompt-features.js';

export interface RawFeatures {
  /** Hashed bucket → value (occurrences / √total occurrences). */
  hashed: Map<number, number>;
  /** Unstandardised structure measurements. */
  structure: Float64Array;
}

export function rawFeatures(prompt: string, hashBits: number): RawFeatures {
  const counts = new Map<number, number>();
  const scan = scanPrompt(normalisePrompt(prompt), hashBits, (index) => counts.set(index, (counts.get(index) ?? 0) + 1));
  const scale = 1 / Math.sqrt(Math.max(1, scan.hashedCount));
  for (const [index, count] of counts) counts.set(index, count * scale);
  return { hashed: counts, structure: scan.structure };
}
