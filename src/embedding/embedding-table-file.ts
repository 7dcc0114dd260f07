/**
 * The static embedding table on disk: one binary file holding a vocabulary and one quantised
 * vector per entry, so it loads offline in a few milliseconds and ships inside the npm package.
 *
 * Layout: the 4 bytes `SBET`, a little-endian uint32 header length, the JSON header (UTF-8,
 * padded with spaces to a multiple of 4 bytes), one float32 scale per row, then the rows as
 * int8 (row × dimensions). A row's vector is `int8 × scale`. Each row already carries its
 * word's weight (rare words weigh more, see `distillation/`), so a text's vector is a plain
 * sum of rows.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

const MAGIC = 'SBET';
export const EMBEDDING_TABLE_FORMAT = 'switchboard-static-embedding';
export const EMBEDDING_TABLE_VERSION = 1;

const headerSchema = z.object({
  format: z.literal(EMBEDDING_TABLE_FORMAT),
  version: z.literal(EMBEDDING_TABLE_VERSION),
  /** What the vectors were distilled from, and how: recorded so the file says how to rebuild it. */
  source: z.record(z.string(), z.union([z.string(), z.number()])),
  dimensions: z.number().int().positive(),
  /** Lower-case entries looked up at the start of a word: whole words and word-initial pieces. */
  words: z.array(z.string()),
  /** Lower-case pieces that continue a word, used to split a word not in `words`. */
  continuations: z.array(z.string()),
});

export type EmbeddingTableHeader = z.infer<typeof headerSchema>;

export interface EmbeddingTable {
  header: EmbeddingTableHeader;
  /** Row r is `vectors[r*dimensions … (r+1)*dimensions)`: `words` rows first, then `continuations`. */
  vectors: Float32Array;
  /** SHA-256 of the file it was read from (a router records the table it was trained with). */
  sha256?: string;
}

export class EmbeddingTableError extends Error {
  override name = 'EmbeddingTableError';
}

export function serialiseEmbeddingTable(table: EmbeddingTable): Buffer {
  const { header, vectors } = table;
  const rows = header.words.length + header.continuations.length;
  if (vectors.length !== rows * header.dimensions) throw new EmbeddingTableError(`table has ${vectors.length} values, expected ${rows} rows × ${header.dimensions}`);
  let json = JSON.stringify(header);
  while (Buffer.byteLength(json) % 4 !== 0) json += ' ';
  const headerBytes = Buffer.from(json, 'utf8');
  const scales = new Float32Array(rows);
  const quantised = new Int8Array(rows * header.dimensions);
  for (let row = 0; row < rows; row++) {
    let largest = 0;
    for (let column = 0; column < header.dimensions; column++) largest = Math.max(largest, Math.abs(vectors[row * header.dimensions + column]));
    const scale = largest / 127 || 1;
    scales[row] = scale;
    for (let column = 0; column < header.dimensions; column++) quantised[row * header.dimensions + column] = Math.round(vectors[row * header.dimensions + column] / scale);
  }
  const prefix = Buffer.alloc(8);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBytes.length, 4);
  return Buffer.concat([prefix, headerBytes, Buffer.from(scales.buffer), Buffer.from(quantised.buffer)]);
}

export function writeEmbeddingTable(path: string, table: EmbeddingTable): void {
  writeFileSync(path, serialiseEmbeddingTable(table));
}

/** Reads a table file; throws `EmbeddingTableError` naming the file when it is missing or malformed. */
export function readEmbeddingTable(path: string): EmbeddingTable {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new EmbeddingTableError(`${path}: ${reason}`);
  }
  return parseEmbeddingTable(bytes, path);
}

export function parseEmbeddingTable(bytes: Buffer, source: string): EmbeddingTable {
  if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== MAGIC) throw new EmbeddingTableError(`${source}: not a Switchboard embedding table`);
  const headerLength = bytes.readUInt32LE(4);
  let header: EmbeddingTableHeader;
  try {
    header = headerSchema.parse(JSON.parse(bytes.toString('utf8', 8, 8 + headerLength)));
  } catch (error) {
    throw new EmbeddingTableError(`${source}: malformed header (${(error as Error).message.split('\n')[0]})`);
  }
  const rows = header.words.length + header.continuations.length;
  const scalesStart = 8 + headerLength;
  const valuesStart = scalesStart + rows * 4;
  if (bytes.length !== valuesStart + rows * header.dimensions) throw new EmbeddingTableError(`${source}: truncated (${bytes.length} bytes for ${rows} rows × ${header.dimensions})`);
  // Copies, not views: the file buffer may not be 4-byte aligned for a Float32Array view.
  const scales = new Float32Array(bytes.buffer.slice(bytes.byteOffset + scalesStart, bytes.byteOffset + valuesStart));
  const values = new Int8Array(bytes.buffer.slice(bytes.byteOffset + valuesStart, bytes.byteOffset + bytes.length));
  const vectors = new Float32Array(rows * header.dimensions);
  for (let row = 0; row < rows; row++) {
    const scale = scales[row];
    for (let column = 0; column < header.dimensions; column++) vectors[row * header.dimensions + column] = values[row * header.dimensions + column] * scale;
  }
  return { header, vectors, sha256: createHash('sha256').update(bytes).digest('hex') };
}
