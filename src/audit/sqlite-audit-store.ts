/** The audit table in SQLite, beside the request log (same file, its own connection). */
import Database from 'better-sqlite3';
import { GENESIS_HASH, type AuditEntry, type UnsealedEntry } from './audit-entry.js';
import { AUDIT_COLUMNS, entryFromRow, type AuditQuery, type AuditStore } from './audit-store.js';
import { openSqliteDatabase } from '../storage/sqlite/open-sqlite-database.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  address TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  before TEXT,
  after TEXT,
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_action ON audit_log (action, id);
CREATE INDEX IF NOT EXISTS audit_log_target ON audit_log (target, id);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`;

export class SqliteAuditStore implements AuditStore {
  private readonly database: Database.Database;

  constructor(path: string) {
    this.database = openSqliteDatabase(path, SCHEMA);
  }

  async append(entry: Omit<UnsealedEntry, 'id' | 'previous_hash'>, seal: (entry: UnsealedEntry) => string): Promise<AuditEntry> {
    const last = this.database.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
    const insert = this.database.prepare(`INSERT INTO audit_log (${AUDIT_COLUMNS.join(', ')}) VALUES (${AUDIT_COLUMNS.map((column) => `@${column}`).join(', ')})`);
    // IMMEDIATE takes the write lock before reading the last row: another process (the CLI,
    // a second gateway) cannot append between the read and the insert.
    return this.database
      .transaction(() => {
        const previous = last.get() as { id: number; hash: string } | undefined;
        const unsealed: UnsealedEntry = { ...entry, id: (previous?.id ?? 0) + 1, previous_hash: previous?.hash ?? GENESIS_HASH };
        const sealed: AuditEntry = { ...unsealed, hash: seal(unsealed) };
        insert.run(sealed);
        return sealed;
      })
      .immediate();
  }

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    if (query.beforeId !== undefined) (conditions.push('id < ?'), parameters.push(query.beforeId));
    if (query.action !== undefined) (conditions.push('action = ?'), parameters.push(query.action));
    if (query.target !== undefined) (conditions.push('target = ?'), parameters.push(query.target));
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = this.database.prepare(`SELECT * FROM audit_log ${where} ORDER BY id DESC LIMIT ?`).all(...parameters, query.limit ?? 100);
    return (rows as Array<Record<string, unknown>>).map(entryFromRow);
  }

  async range(afterId: number, limit: number): Promise<AuditEntry[]> {
    return (this.database.prepare('SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as Array<Record<string, unknown>>).map(entryFromRow);
  }

  async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }
}
