/** Virtual keys in PostgreSQL, shared by every gateway instance on the same database. */
import type pg from 'pg';
import { openPostgresPool, runMigration } from '../../storage/postgres/postgres-pool.js';
import { KEY_COLUMNS, keyFromRow, rowFromKey, type KeyStore } from './key-store.js';
import type { VirtualKey } from './virtual-key.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS virtual_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  key_hint TEXT NOT NULL,
  team TEXT,
  settings TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  revoked_at BIGINT
);`;

export class PostgresKeyStore implements KeyStore {
  constructor(private readonly pool: pg.Pool) {}

  static async open(url: string): Promise<PostgresKeyStore> {
    const pool = await openPostgresPool(url, { max: 4 });
    await runMigration(pool, SCHEMA);
    return new PostgresKeyStore(pool);
  }

  async insert(key: VirtualKey): Promise<void> {
    const row = rowFromKey(key);
    await this.pool.query(
      `INSERT INTO virtual_keys (${KEY_COLUMNS.join(', ')}) VALUES (${KEY_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')})`,
      KEY_COLUMNS.map((column) => row[column]),
    );
  }

  async findByHash(hash: string): Promise<VirtualKey | undefined> {
    const result = await this.pool.query('SELECT * FROM virtual_keys WHERE key_hash = $1', [hash]);
    return result.rows[0] ? keyFromRow(result.rows[0]) : undefined;
  }

  async get(id: string): Promise<VirtualKey | undefined> {
    const result = await this.pool.query('SELECT * FROM virtual_keys WHERE id = $1', [id]);
    return result.rows[0] ? keyFromRow(result.rows[0]) : undefined;
  }

  async list(options: { includeRevoked?: boolean } = {}): Promise<VirtualKey[]> {
    const where = options.includeRevoked ? '' : 'WHERE revoked_at IS NULL';
    const result = await this.pool.query(`SELECT * FROM virtual_keys ${where} ORDER BY created_at, id`);
    return result.rows.map(keyFromRow);
  }

  async replace(key: VirtualKey): Promise<void> {
    const row = rowFromKey(key);
    const columns = KEY_COLUMNS.filter((column) => column !== 'id');
    await this.pool.query(
      `UPDATE virtual_keys SET ${columns.map((column, index) => `${column} = $${index + 2}`).join(', ')} WHERE id = $1`,
      [row.id, ...columns.map((column) => row[column])],
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
