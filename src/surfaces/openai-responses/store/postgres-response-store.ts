/** Stored responses in PostgreSQL, shared by every gateway instance on the same database. */
import type pg from 'pg';
import { openPostgresPool, runMigration } from '../../../storage/postgres/postgres-pool.js';
import {
  entryFromRow,
  MAX_CHAIN_LENGTH,
  PruneSchedule,
  rowFromEntry,
  STORED_RESPONSE_COLUMNS,
  type ResponseStore,
  type ResponseStoreOptions,
  type NewStoredResponse,
  type StoredResponse,
} from './response-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS stored_responses (
  id TEXT PRIMARY KEY,
  owner_key_id TEXT,
  previous_response_id TEXT,
  input_items TEXT NOT NULL,
  response TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT
);
CREATE INDEX IF NOT EXISTS stored_responses_created_at ON stored_responses (created_at);`;

// $1 id, $2 owner, $3 now. The JSON columns are TEXT, not JSONB: a response is returned byte for
// byte as it was sent, and nothing queries inside it.
const CHAIN = `
WITH RECURSIVE chain AS (
  SELECT stored_responses.*, 0 AS depth FROM stored_responses
  WHERE id = $1 AND owner_key_id IS NOT DISTINCT FROM $2 AND (expires_at IS NULL OR expires_at > $3)
  UNION ALL
  SELECT earlier.*, chain.depth + 1 FROM stored_responses AS earlier
  JOIN chain ON earlier.id = chain.previous_response_id
  WHERE earlier.owner_key_id IS NOT DISTINCT FROM $2 AND (earlier.expires_at IS NULL OR earlier.expires_at > $3) AND chain.depth < ${MAX_CHAIN_LENGTH}
)
SELECT * FROM chain ORDER BY depth DESC`;

export class PostgresResponseStore implements ResponseStore {
  private readonly prune: PruneSchedule;
  private readonly now: () => number;

  constructor(private readonly pool: pg.Pool, private readonly options: ResponseStoreOptions = {}) {
    this.prune = new PruneSchedule(options);
    this.now = options.now ?? Date.now;
  }

  static async open(url: string, options: ResponseStoreOptions = {}): Promise<PostgresResponseStore> {
    const pool = await openPostgresPool(url, { max: 4 });
    await runMigration(pool, SCHEMA);
    return new PostgresResponseStore(pool, options);
  }

  async save(entry: NewStoredResponse): Promise<void> {
    const now = this.now();
    const placeholders = STORED_RESPONSE_COLUMNS.map((_, index) => `$${index + 1}`).join(', ');
    await this.pool.query(`INSERT INTO stored_responses (${STORED_RESPONSE_COLUMNS.join(', ')}) VALUES (${placeholders})`, rowFromEntry(entry, now, this.options.ttlMs));
    if (this.prune.due(now)) await this.pruneNow(now);
  }

  async get(id: string, ownerKeyId: string | null): Promise<StoredResponse | undefined> {
    const result = await this.pool.query(
      'SELECT * FROM stored_responses WHERE id = $1 AND owner_key_id IS NOT DISTINCT FROM $2 AND (expires_at IS NULL OR expires_at > $3)',
      [id, ownerKeyId, this.now()],
    );
    return result.rows[0] ? entryFromRow(result.rows[0]) : undefined;
  }

  async chain(id: string, ownerKeyId: string | null): Promise<StoredResponse[]> {
    const result = await this.pool.query(CHAIN, [id, ownerKeyId, this.now()]);
    return result.rows.map(entryFromRow);
  }

  async delete(id: string, ownerKeyId: string | null): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM stored_responses WHERE id = $1 AND owner_key_id IS NOT DISTINCT FROM $2', [id, ownerKeyId]);
    return (result.rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async pruneNow(now: number): Promise<void> {
    await this.pool.query('DELETE FROM stored_responses WHERE expires_at IS NOT NULL AND expires_at <= $1', [now]);
    if (this.options.maxResponses !== undefined) {
      await this.pool.query('DELETE FROM stored_responses WHERE id IN (SELECT id FROM stored_responses ORDER BY created_at DESC, id DESC OFFSET $1)', [this.options.maxResponses]);
    }
  }
}
