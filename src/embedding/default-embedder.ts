/**
 * The shipped embedding table, `routers/embedding-en.bin`, found from this module's location
 * so it works from `src/` and `dist/`, and loaded once per process: the learned router and any
 * other in-process user (a semantic cache) share one copy. Rebuilt by `npm run embedding:build`.
 */
import { fileURLToPath } from 'node:url';
import { loadStaticEmbedder, type StaticEmbedder } from './static-embedder.js';

export const DEFAULT_EMBEDDING_TABLE_PATH = fileURLToPath(new URL('../../routers/embedding-en.bin', import.meta.url));

const loaded = new Map<string, StaticEmbedder>();

/** The embedder for a table file, loaded on first use and kept. */
export function sharedStaticEmbedder(path: string = DEFAULT_EMBEDDING_TABLE_PATH): StaticEmbedder {
  let embedder = loaded.get(path);
  if (!embedder) {
    embedder = loadStaticEmbedder(path);
    loaded.set(path, embedder);
  }
  return embedder;
}

/** A text's normalised vector from the shipped table (for example `embedText('hello')`). */
export function embedText(text: string): Float32Array {
  return sharedStaticEmbedder().embed(text);
}
