/** Teams and end users from the admin API in a SQLite table beside the keys (same file). */
import Database from 'better-sqlite3';
import type { LimitsEntry, LimitsKind } from './limits-entry.js';
import { entryFromRow, LIMITS_COLUMNS, rowFromEntry, type LimitsStore } from './limits-store.js';
import { openSqliteDatabase } from '../../storage/sqlite/open-sqlite-database.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS scope_limits (
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  limits TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (kind, name)
);`;

export class SqliteLimitsStore implements LimitsStore {
  private readonly database: Database.Database;

  constructor(path: string) {
    this.database = openSqliteDatabase(path, SCHEMA);
  }

  async insert(entry: LimitsEntry): Promise<boolean> {
    const columns = LIMITS_COLUMNS.join(', ');
    const values = LIMITS_COLUMNS.map((column) => `@${column}`).join(', ');
    return this.database.prepare(`INSERT INTO scope_limits (${columns}) VALUES (${values}) ON CONFLICT (kind, name) DO NOTHING`).run(rowFromEntry(entry)).changes === 1;
  }

  async get(kind: LimitsKind, name: string): Promise<LimitsEntry | undefined> {
    const row = this.database.prepare('SELECT * FROM scope_limits WHERE kind = ? AND name = ?').get(kind, name) as Record<string, unknown> | undefined;
    return row ? entryFromRow(row) : undefined;
  }

  async list(kind: LimitsKind): Promise<LimitsEntry[]> {
    return (this.database.prepare('SELECT * FROM scope_limits WHERE kind = ? ORDER BY name').all(kind) as Array<Record<string, unknown>>).map(entryFromRow);
  }

  async replace(entry: LimitsEntry): Promise<void> {
    this.database.prepare('UPDATE scope_limits SET limits = @limits, updated_at = @updated_at WHERE kind = @kind AND name = @name').run(rowFromEntry(entry));
  }

  async delete(kind: LimitsKind, name: string): Promise<boolean> {
    return this.database.prepare('DELETE FROM scope_limits WHERE kind = ? AND name = ?').run(kind, name).changes === 1;
  }

  async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }
}
