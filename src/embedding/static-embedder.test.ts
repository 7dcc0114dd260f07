import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedText } from './default-embedder.js';
import { EMBEDDING_TABLE_FORMAT, EMBEDDING_TABLE_VERSION, parseEmbeddingTable, readEmbeddingTable, serialiseEmbeddingTable, type EmbeddingTable } from './embedding-table-file.js';
import { createStaticEmbedder } from './static-embedder.js';

function cosine(left: Float32Array, right: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += left[index] * right[index];
  return sum;
}

/** Three words and two continuation pieces in two dimensions. */
function tinyTable(): EmbeddingTable {
  return {
    header: { format: EMBEDDING_TABLE_FORMAT, version: EMBEDDING_TABLE_VERSION, source: { encoder: 'test' }, dimensions: 2, words: ['cat', 'dog', 'hyper'], continuations: ['visor', 'x'] },
    vectors: Float32Array.from([1, 0, 0.9, 0.1, 0, 1, 0, -1, 0.5, 0.5]),
  };
}

describe('static embedder with the shipped table', () => {
  it('puts paraphrases closer together than unrelated requests', () => {
    const bread = embedText('How do I bake sourdough bread at home?');
    const recipe = embedText('Give me a good recipe for a loaf of bread.');
    const proof = embedText('Prove that the square root of two is irrational.');
    expect(cosine(bread, recipe)).toBeGreaterThan(cosine(bread, proof) + 0.3);
  });

  it('returns a unit vector, and all zeros for text without an English word', () => {
    const vector = embedText('Summarise this contract in plain words.');
    expect(cosine(vector, vector)).toBeCloseTo(1, 5);
    expect(embedText('12345 + 678 = ?').every((value) => value === 0)).toBe(true);
    expect(embedText('').every((value) => value === 0)).toBe(true);
  });
});

describe('static embedder lookups', () => {
  const embedder = createStaticEmbedder(tinyTable());

  it('reads words case-insensitively and sums their rows', () => {
    const into = new Float64Array(2);
    expect(embedder.accumulate('Cat, DOG!', into)).toBe(2);
    expect(into[0]).toBeCloseTo(1.9, 5);
    expect(into[1]).toBeCloseTo(0.1, 5);
  });

  it('splits an unknown word into the longest known pieces, and skips what cannot be split', () => {
    const into = new Float64Array(2);
    // "hypervisor" = "hyper" + "visor": (0, 1) + (0, -1); "zzz" has no piece.
    expect(embedder.accumulate('hypervisor zzz', into)).toBe(2);
    expect(Array.from(into)).toEqual([0, 0]);
  });
});

describe('embedding table file', () => {
  it('reads back what it wrote, to int8 precision', () => {
    const table = tinyTable();
    const read = parseEmbeddingTable(serialiseEmbeddingTable(table), 'memory');
    expect(read.header).toEqual(table.header);
    for (let index = 0; index < table.vectors.length; index++) expect(read.vectors[index]).toBeCloseTo(table.vectors[index], 2);
    expect(read.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the file when it is missing, not a table, or cut short', () => {
    const directory = mkdtempSync(join(tmpdir(), 'embedding-table-'));
    expect(() => readEmbeddingTable(join(directory, 'missing.bin'))).toThrow(/missing\.bin: file not found/);
    writeFileSync(join(directory, 'text.bin'), 'hello');
    expect(() => readEmbeddingTable(join(directory, 'text.bin'))).toThrow(/text\.bin: not a Switchboard embedding table/);
    const bytes = serialiseEmbeddingTable(tinyTable());
    writeFileSync(join(directory, 'short.bin'), bytes.subarray(0, bytes.length - 3));
    expect(() => readEmbeddingTable(join(directory, 'short.bin'))).toThrow(/short\.bin: truncated/);
  });
});
