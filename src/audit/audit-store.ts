/**
 * Where audit rows live: a table beside the request log, in the same SQLite file or PostgreSQL
 * database (`storage.url`). Stores only append and read. Appending reads the last row and
 * writes the next under one lock (SQLite's write lock, a PostgreSQL advisory lock), so two
 * gateways or a gateway and the CLI never fork the chain. Both backends also refuse UPDATE and
 * DELETE on the table with a trigger; the hash chain is what catches an edit by someone who
 * drops the trigger first.
 */
import type { AuditEntry, UnsealedEntry } from './audit-entry.js';

export interface AuditQuery {
  /** Newest first, at most this many (default 100). */
  limit?: number;
  /** Only rows with a smaller id (paging backwards). */
  beforeId?: number;
  action?: string;
  target?: string;
}

export interface AuditStore {
  /** Seals `entry` (given everything but id, previous_hash and hash) as the next row, and returns it. */
  append(entry: Omit<UnsealedEntry, 'id' | 'previous_hash'>, seal: (entry: UnsealedEntry) => string): Promise<AuditEntry>;
  list(query?: AuditQuery): Promise<AuditEntry[]>;
  /** Rows in chain order with id > `afterId`, at most `limit`: for verification, page by page. */
  range(afterId: number, limit: number): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

export const AUDIT_COLUMNS = ['id', 'at', 'actor', 'address', 'action', 'target', 'before', 'after', 'previous_hash', 'hash'] as const;

export function entryFromRow(row: Record<string, unknown>): AuditEntry {
  return {
    id: Number(row.id),
    at: Number(row.at),
    actor: String(row.actor),
    address: String(row.address),
    action: String(row.action),
    target: row.target === null || row.target === undefined ? null : String(row.target),
    before: row.before === null || row.before === undefined ? null : String(row.before),
    after: row.after === null || row.after === undefined ? null : String(row.after),
    previous_hash: String(row.previous_hash),
    hash: String(row.hash),
  };
}
