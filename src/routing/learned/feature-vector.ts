/**
 * Sparse feature vectors for training. Scoring does not build them (it sums weights while
 * scanning, see `learned-router.ts`), but both go through `normalisePrompt` and `scanPrompt`
 * with the same scaling, so what a router learned is exactly what it sees at request time.
 */
import type { StaticEmbedder } from '../../embedding/static-embedder.js';
import { boundPrompt, normalisePrompt } from './prompt-normalisation.js';
import { scanPrompt, type PromptScan } from './prompt-features.js';

/** The text a router reads: cut to its head and tail, benchmark boilerplate removed. */
export function routedText(prompt: string): { text: string; characterCount: number } {
  const bounded = boundPrompt(prompt);
  const text = normalisePrompt(bounded);
  return { text, characterCount: text.length + (prompt.length - bounded.length) };
}

/** The one way a prompt becomes lexical features, for training and scoring alike. */
export function scanRawPrompt(prompt: string, hashBits: number): PromptScan {
  const { text, characterCount } = routedText(prompt);
  return scanPrompt(text, hashBits, characterCount);
}

export interface RawFeatures {
  /** Hashed bucket → value (occurrences / √total occurrences). */
  hashed: Map<number, number>;
  /** Unstandardised structure measurements. */
  structure: Float64Array;
  /** The prompt's normalised static embedding; null without an embedder or when no word is known. */
  semantic: Float32Array | null;
}

export function rawFeatures(prompt: string, hashBits: number, embedder?: StaticEmbedder): RawFeatures {
  const counts = new Map<number, number>();
  const scan = scanRawPrompt(prompt, hashBits);
  for (let position = 0; position < scan.hashedCount; position++) counts.set(scan.hashed[position], (counts.get(scan.hashed[position]) ?? 0) + 1);
  const scale = 1 / Math.sqrt(Math.max(1, scan.hashedCount));
  for (const [index, count] of counts) counts.set(index, count * scale);
  return { hashed: counts, structure: scan.structure, semantic: embedder ? semanticFeatures(prompt, embedder) : null };
}

/**
 * Characters of the routed text that are embedded. What kind of request a prompt is shows in
 * its first paragraphs; embedding all 8,000 characters would cost four times as much, and a
 * decision has a budget of 1 ms (bench/router-decision.ts).
 */
export const SEMANTIC_CHARACTERS = 2000;

/** The part of the routed text that is embedded. */
export function semanticText(text: string): string {
  return text.length > SEMANTIC_CHARACTERS ? text.slice(0, SEMANTIC_CHARACTERS) : text;
}

/** The normalised embedding of the text a router reads, or null when it has no known word. */
export function semanticFeatures(prompt: string, embedder: StaticEmbedder): Float32Array | null {
  const sum = new Float64Array(embedder.dimensions);
  if (embedder.accumulate(semanticText(routedText(prompt).text), sum) === 0) return null;
  let squares = 0;
  for (let index = 0; index < sum.length; index++) squares += sum[index] * sum[index];
  if (squares === 0) return null;
  const scale = 1 / Math.sqrt(squares);
  return Float32Array.from(sum, (value) => value * scale);
}
