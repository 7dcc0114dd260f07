/**
 * Which rows a router was trained on, stored in the router file as short hashes of their
 * prompts, so `switchboard eval` can tell in-sample rows from held-out ones and never report
 * a figure that quietly includes the training data. The prompt is hashed, not the id: the
 * router learned from the text, and the same prompt under another id or in another file is
 * just as much in-sample. 48 bits of SHA-256: collisions among millions of rows are unlikely,
 * and the list stays small (12 characters a row).
 */
import { createHash } from 'node:crypto';
import type { RoutingRow } from '../evaluation/routing-dataset.js';

export const TRAINING_ROW_HASH = 'sha256-48-of-prompt';

export function promptHash(prompt: string): string {
  return createHash('sha256').update(prompt).digest('hex').slice(0, 12);
}

/** The sorted, de-duplicated hashes of the rows' prompts, as stored in a router file. */
export function trainingRowHashes(rows: readonly Pick<RoutingRow, 'prompt'>[]): { hash: typeof TRAINING_ROW_HASH; prompts: string[] } {
  return { hash: TRAINING_ROW_HASH, prompts: [...new Set(rows.map((row) => promptHash(row.prompt)))].sort() };
}

/** For each row, whether the router was trained on it (false for all when the file keeps no list). */
export function inSampleRows(trained: { prompts: readonly string[] } | undefined, rows: readonly Pick<RoutingRow, 'prompt'>[]): boolean[] {
  if (!trained) return rows.map(() => false);
  const known = new Set(trained.prompts);
  return rows.map((row) => known.has(promptHash(row.prompt)));
}
