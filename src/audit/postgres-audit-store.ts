/** The audit table in PostgreSQL, one chain shared by every gateway instance on the database. */
import type pg from 'pg';
import { openPostgresPool, runMigration } from '../storage/postgres/postgres-pool.js';
import { GENESIS_HASH, type AuditEntry, type UnsealedEntry } from './audit-entry.js';
import { AUDIT_COLUMNS, entryFromRow, type AuditQuery, type AuditStore } from './audit-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
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
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();`;

/** Serialises appends across instances; distinct from the migration lock in postgres-pool.ts. */
const APPEND_LOCK = 727275;

export class PostgresAuditStore implements AuditStore {
  constructor(private readonly pool: pg.Pool) {}

  static async open(url: string): Promise<PostgresAuditStore> {
    const pool = await openPostgresPool(url, { max: 2 });
    await runMigration(pool, SCHEMA);
    return new PostgresAuditStore(pool);
  }

  async append(entry: Omit<UnsealedEntry, 'id' | 'previous_hash'>, seal: (entry: UnsealedEntry) => string): Promise<AuditEntry> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Held to the end of the transaction: no other instance reads the last row until this one is in.
      await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
      const last = await client.query('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
      const previous = last.rows[0] as { id: string; hash: string } | undefined;
      const unsealed: UnsealedEntry = { ...entry, id: Number(previous?.id ?? 0) + 1, previous_hash: previous?.hash ?? GENESIS_HASH };
      const sealed: AuditEntry = { ...unsealed, hash: seal(unsealed) };
      await client.query(
        `INSERT INTO audit_log (${AUDIT_COLUMNS.join(', ')}) VALUES (${AUDIT_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')})`,
        AUDIT_COLUMNS.map((column) => sealed[column]),
      );
      await client.query('COMMIT');
      return sealed;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    const add = (condition: string, value: unknown) => {
      parameters.push(value);
      conditions.push(condition.replace('?', `$${parameters.length}`));
    };
    if (query.beforeId !== undefined) add('id < ?', query.beforeId);
    if (query.action !== undefined) add('action = ?', query.action);
    if (query.target !== undefined) add('target = ?', query.target);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    parameters.push(query.limit ?? 100);
    const result = await this.pool.query(`SELECT * FROM audit_log ${where} ORDER BY id DESC LIMIT $${parameters.length}`, parameters);
    return result.rows.map(entryFromRow);
  }

  async range(afterId: number, limit: number): Promise<AuditEntry[]> {
    const result = await this.pool.query('SELECT * FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2', [afterId, limit]);
    return result.rows.map(entryFromRow);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
