/**
 * Reads routing datasets: JSON Lines where each row records how a weak and a strong model
 * scored on one prompt (format in `../shared/datasets/routing/README.md`). Rows are validated
 * as they are read so a bad line fails with its file and line number, not later as a NaN metric.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface RoutingRow {
  id: string;
  /** The benchmark, and for MMLU its subject (`mmlu/anatomy`). */
  task: string;
  prompt: string;
  /** Quality of each model's answer, higher is better (0/1 correctness or a 1–10 judge score). */
  scores: Record<string, number>;
  /** Each model's recorded answer, where known. */
  responses?: Record<string, string>;
  reference?: string;
}

export interface RoutingDataset {
  /** A short name for reports: the file name without `.jsonl`. */
  name: string;
  path: string;
  rows: RoutingRow[];
}

export class RoutingDatasetError extends Error {
  override name = 'RoutingDatasetError';
}

/** Reads and validates a dataset file; `models` lists models every row must have a score for. */
export function readRoutingDataset(path: string, models: readonly string[] = []): RoutingDataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String((error as Error).message);
    throw new RoutingDatasetError(`${path}: ${reason}`);
  }
  const rows = parseRoutingRows(text, path);
  for (const model of models) {
    const missing = rows.findIndex((row) => !(model in row.scores));
    if (missing >= 0) {
      throw new RoutingDatasetError(`${path}: row "${rows[missing].id}" has no score for model "${model}" (scores: ${Object.keys(rows[missing].scores).join(', ')})`);
    }
  }
  return { name: basename(path).replace(/\.jsonl?$/, ''), path, rows };
}

/** Parses JSON Lines text into validated rows; `source` names the file in errors. */
export function parseRoutingRows(text: string, source: string): RoutingRow[] {
  const rows: RoutingRow[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '') continue;
    const where = `${source}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new RoutingDatasetError(`${where}: not valid JSON`);
    }
    const row = validateRow(value, where);
    if (seen.has(row.id)) throw new RoutingDatasetError(`${where}: duplicate id "${row.id}"`);
    seen.add(row.id);
    rows.push(row);
  }
  if (rows.length === 0) throw new RoutingDatasetError(`${source}: no rows`);
  return rows;
}

function validateRow(value: unknown, where: string): RoutingRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RoutingDatasetError(`${where}: expected a JSON object`);
  const record = value as Record<string, unknown>;
  if (typeof record.id !== 'string' || record.id === '') throw new RoutingDatasetError(`${where}: "id" must be a non-empty string`);
  if (typeof record.prompt !== 'string') throw new RoutingDatasetError(`${where}: "prompt" must be a string`);
  const scores = record.scores;
  if (typeof scores !== 'object' || scores === null || Array.isArray(scores)) throw new RoutingDatasetError(`${where}: "scores" must be an object of model → number`);
  for (const [model, score] of Object.entries(scores)) {
    if (typeof score !== 'number' || !Number.isFinite(score)) throw new RoutingDatasetError(`${where}: score of "${model}" must be a finite number`);
  }
  const row: RoutingRow = {
    id: record.id,
    task: typeof record.task === 'string' ? record.task : 'unknown',
    prompt: record.prompt,
    scores: scores as Record<string, number>,
  };
  if (record.responses !== undefined) {
    if (typeof record.responses !== 'object' || record.responses === null) throw new RoutingDatasetError(`${where}: "responses" must be an object of model → text`);
    row.responses = record.responses as Record<string, string>;
  }
  if (typeof record.reference === 'string') row.reference = record.reference;
  return row;
}
