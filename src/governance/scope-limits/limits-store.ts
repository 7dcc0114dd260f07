/**
 * Where teams and end users made through the admin API live: the same SQLite file or
 * PostgreSQL database as keys and the request log, one row per (kind, name) with the limits as
 * JSON, so every instance on a shared database sees the same entries.
 */
import type { LimitsEntry, LimitsKind } from './limits-entry.js';

export interface LimitsStore {
  /** Inserts `entry`; false when one of that kind and name exists already. */
  insert(entry: LimitsEntry): Promise<boolean>;
  get(kind: LimitsKind, name: string): Promise<LimitsEntry | undefined>;
  list(kind: LimitsKind): Promise<LimitsEntry[]>;
  replace(entry: LimitsEntry): Promise<void>;
  /** True when there was one to delete. */
  delete(kind: LimitsKind, name: string): Promise<boolean>;
  close(): Promise<void>;
}

export const LIMITS_COLUMNS = ['kind', 'name', 'limits', 'created_at', 'updated_at'] as const;

export function rowFromEntry(entry: LimitsEntry): Record<(typeof LIMITS_COLUMNS)[number], unknown> {
  return { kind: entry.kind, name: entry.name, limits: JSON.stringify(entry.limits), created_at: entry.created_at, updated_at: entry.updated_at };
}

export function entryFromRow(row: Record<string, unknown>): LimitsEntry {
  return {
    kind: row.kind as LimitsKind,
    name: String(row.name),
    limits: typeof row.limits === 'string' ? JSON.parse(row.limits) : row.limits,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}
