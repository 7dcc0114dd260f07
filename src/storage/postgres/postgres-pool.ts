/**
 * Opens a `pg` pool for a storage URL. An optional `?schema=NAME` puts every table in that
 * PostgreSQL schema (created if missing), so several gateways or test runs can share a database.
 */
import pg from 'pg';
import { ConfigError } from '../../config/config-error.js';

export async function openPostgresPool(url: string, options: { max?: number } = {}): Promise<pg.Pool> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(`storage.url: schema '${schema}' must be lowercase letters, digits and underscores`);
  }
  // search_path is a startup option, so every connection (the first one included) uses the schema.
  const pool = new pg.Pool({ connectionString: parsed.toString(), max: options.max ?? 10, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  if (schema) {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`).catch((error: { code?: string }) => {
      // Two instances creating the schema at once: one loses the race, harmlessly.
      if (error.code !== '23505' && error.code !== '42P06') throw error;
    });
  }
  return pool;
}

/** Runs DDL once even when several instances start together (CREATE … IF NOT EXISTS can still race in PostgreSQL). */
export async function runMigration(pool: pg.Pool, ddl: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(727274)');
    await client.query(ddl);
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)').catch(() => {});
    client.release();
  }
}
