/** Teams and end users from the admin API in PostgreSQL, shared by every gateway instance. */
import type pg from 'pg';
import { openPostgresPool, runMigration } from '../../storage/postgres/postgres-pool.js';
import type { LimitsEntry, LimitsKind } from './limits-entry.js';
import { entryFromRow, LIMITS_COLUMNS, rowFromEntry, type LimitsStore } from './limits-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS scope_limits (
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  limits TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (kind, name)
);`;

export class PostgresLimitsStore implements LimitsStore {
  constructor(private readonly pool: pg.Pool) {}

  static async open(url: string): Promise<PostgresLimitsStore> {
    const pool = await openPostgresPool(url, { max: 4 });
    await runMigration(pool, SCHEMA);
    return new PostgresLimitsStore(pool);
  }

  async insert(entry: LimitsEntry): Promise<boolean> {
    const row = rowFromEntry(entry);
    const result = await this.pool.query(
      `INSERT INTO scope_limits (${LIMITS_COLUMNS.join(', ')}) VALUES (${LIMITS_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')}) ON CONFLICT (kind, name) DO NOTHING`,
      LIMITS_COLUMNS.map((column) => row[column]),
    );
    return result.rowCount === 1;
  }

  async get(kind: LimitsKind, name: string): Promise<LimitsEntry | undefined> {
    const result = await this.pool.query('SELECT * FROM scope_limits WHERE kind = $1 AND name = $2', [kind, name]);
    return result.rows[0] ? entryFromRow(result.rows[0]) : undefined;
  }

  async list(kind: LimitsKind): Promise<LimitsEntry[]> {
    return (await this.pool.query('SELECT * FROM scope_limits WHERE kind = $1 ORDER BY name', [kind])).rows.map(entryFromRow);
  }

  async replace(entry: LimitsEntry): Promise<void> {
    const row = rowFromEntry(entry);
    await this.pool.query('UPDATE scope_limits SET limits = $3, updated_at = $4 WHERE kind = $1 AND name = $2', [row.kind, row.name, row.limits, row.updated_at]);
  }

  async delete(kind: LimitsKind, name: string): Promise<boolean> {
    return (await this.pool.query('DELETE FROM scope_limits WHERE kind = $1 AND name = $2', [kind, name])).rowCount === 1;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
