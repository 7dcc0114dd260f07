/**
 * An offline, in-process text embedder: the weighted mean of static word vectors distilled
 * from the Universal Sentence Encoder (see `distillation/`). No model runs at request time:
 * a text is one pass over its characters with a hash lookup per word, so an 8,000-character
 * prompt embeds in well under a millisecond.
 *
 * Words are runs of ASCII letters, looked up lower-cased. A word not in the table is split
 * greedily into the longest known pieces (a word-initial piece, then continuation pieces), as
 * the encoder's own tokenizer would; what cannot be split is skipped. Other scripts, numbers
 * and symbols carry no meaning here: a text with no known word embeds to all zeros.
 */
import { readEmbeddingTable, type EmbeddingTable } from './embedding-table-file.js';

export interface StaticEmbedder {
  readonly dimensions: number;
  /** SHA-256 of the table file (empty for a table built in memory). */
  readonly sha256: string;
  /** The text's vector, normalised to length 1 (all zeros when no word is known). */
  embed(text: string): Float32Array;
  /**
   * Adds the (unnormalised) sum of the text's word vectors to `into` and returns how many
   * table rows were used. Allocates nothing: for callers on the request path.
   */
  accumulate(text: string, into: Float64Array): number;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** Longest piece tried when splitting an unknown word (the encoder's pieces are shorter). */
const MAX_PIECE_CHARACTERS = 24;
/** Longer letter runs are not words (hashes, base64): splitting them would only add noise. */
const MAX_WORD_CHARACTERS = 40;

/** int32 hash → row, open addressing; a JavaScript Map would box hashes outside the small-integer range. */
class RowIndex {
  private readonly keys: Int32Array;
  private readonly rows: Int32Array;
  private readonly mask: number;

  constructor(entries: readonly string[], firstRow: number) {
    let size = 16;
    while (size < entries.length * 2) size *= 2;
    this.keys = new Int32Array(size);
    this.rows = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    entries.forEach((entry, index) => {
      let hash = FNV_OFFSET;
      for (let position = 0; position < entry.length; position++) hash = Math.imul(hash ^ entry.charCodeAt(position), FNV_PRIME);
      let slot = mixed(hash) & this.mask;
      while (this.rows[slot] !== -1 && this.keys[slot] !== hash) slot = (slot + 1) & this.mask;
      // Entries are in order of frequency: on a (rare) hash collision the commoner entry wins.
      if (this.rows[slot] === -1) {
        this.keys[slot] = hash;
        this.rows[slot] = firstRow + index;
      }
    });
  }

  /** The row of the entry with this hash, or -1. */
  row(hash: number): number {
    let slot = mixed(hash) & this.mask;
    while (this.rows[slot] !== -1) {
      if (this.keys[slot] === hash) return this.rows[slot];
      slot = (slot + 1) & this.mask;
    }
    return -1;
  }
}

function mixed(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  return hash ^ (hash >>> 13);
}

function isLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
}

function lower(code: number): number {
  return code <= 90 ? code + 32 : code;
}

export function createStaticEmbedder(table: EmbeddingTable): StaticEmbedder {
  const { header, vectors } = table;
  const dimensions = header.dimensions;
  const words = new RowIndex(header.words, 0);
  const continuations = new RowIndex(header.continuations, header.words.length);

  const add = (row: number, into: Float64Array): void => {
    const offset = row * dimensions;
    for (let column = 0; column < dimensions; column++) into[column] += vectors[offset + column];
  };

  /** Splits text[start, end) into the longest known pieces; returns the rows used. */
  const addPieces = (text: string, start: number, end: number, into: Float64Array): number => {
    let used = 0;
    let position = start;
    let index = words;
    while (position < end) {
      let hash = FNV_OFFSET;
      let bestRow = -1;
      let bestEnd = position + 1;
      const limit = Math.min(end, position + MAX_PIECE_CHARACTERS);
      for (let cursor = position; cursor < limit; cursor++) {
        hash = Math.imul(hash ^ lower(text.charCodeAt(cursor)), FNV_PRIME);
        const row = index.row(hash);
        if (row >= 0) {
          bestRow = row;
          bestEnd = cursor + 1;
        }
      }
      if (bestRow >= 0) {
        add(bestRow, into);
        used++;
      }
      position = bestEnd;
      index = continuations;
    }
    return used;
  };

  const accumulate = (text: string, into: Float64Array): number => {
    let used = 0;
    const length = text.length;
    let position = 0;
    while (position < length) {
      if (!isLetter(text.charCodeAt(position))) {
        position++;
        continue;
      }
      const start = position;
      let hash = FNV_OFFSET;
      do {
        hash = Math.imul(hash ^ lower(text.charCodeAt(position)), FNV_PRIME);
        position++;
      } while (position < length && isLetter(text.charCodeAt(position)));
      const row = words.row(hash);
      if (row >= 0) {
        add(row, into);
        used++;
      } else if (position - start <= MAX_WORD_CHARACTERS) {
        used += addPieces(text, start, position, into);
      }
    }
    return used;
  };

  return {
    dimensions,
    sha256: table.sha256 ?? '',
    accumulate,
    embed(text: string): Float32Array {
      const sum = new Float64Array(dimensions);
      accumulate(text, sum);
      return normalised(sum);
    },
  };
}

/** `vector / |vector|` as float32; all zeros stay zeros. */
export function normalised(vector: Float64Array): Float32Array {
  let squares = 0;
  for (let index = 0; index < vector.length; index++) squares += vector[index] * vector[index];
  const result = new Float32Array(vector.length);
  if (squares === 0) return result;
  const scale = 1 / Math.sqrt(squares);
  for (let index = 0; index < vector.length; index++) result[index] = vector[index] * scale;
  return result;
}

export function loadStaticEmbedder(path: string): StaticEmbedder {
  return createStaticEmbedder(readEmbeddingTable(path));
}
