/** Stored responses in SQLite: the gateway's database file (its own connection), or memory. */
import Database from 'better-sqlite3';
import { openSqliteDatabase } from '../../../storage/sqlite/open-sqlite-database.js';
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
  created_at INTEGER NOT NULL,
  expires_at INTEGER
);
CREATE INDEX IF NOT EXISTS stored_responses_created_at ON stored_responses (created_at);`;

const LIVE = '(expires_at IS NULL OR expires_at > @now)';

const CHAIN = `
WITH RECURSIVE chain AS (
  SELECT stored_responses.*, 0 AS depth FROM stored_responses
  WHERE id = @id AND owner_key_id IS @owner AND ${LIVE}
  UNION ALL
  SELECT earlier.*, chain.depth + 1 FROM stored_responses AS earlier
  JOIN chain ON earlier.id = chain.previous_response_id
  WHERE earlier.owner_key_id IS @owner AND (earlier.expires_at IS NULL OR earlier.expires_at > @now) AND chain.depth < ${MAX_CHAIN_LENGTH}
)
SELECT * FROM chain ORDER BY depth DESC`;

export class SqliteResponseStore implements ResponseStore {
  private readonly database: Database.Database;
  private readonly prune: PruneSchedule;
  private readonly now: () => number;

  constructor(path: string, private readonly options: ResponseStoreOptions = {}) {
    this.database = openSqliteDatabase(path, SCHEMA);
    this.prune = new PruneSchedule(options);
    this.now = options.now ?? Date.now;
  }

  async save(entry: NewStoredResponse): Promise<void> {
    const now = this.now();
    const placeholders = STORED_RESPONSE_COLUMNS.map(() => '?').join(', ');
    this.database.prepare(`INSERT INTO stored_responses (${STORED_RESPONSE_COLUMNS.join(', ')}) VALUES (${placeholders})`).run(...rowFromEntry(entry, now, this.options.ttlMs));
    if (this.prune.due(now)) this.pruneNow(now);
  }

  async get(id: string, ownerKeyId: string | null): Promise<StoredResponse | undefined> {
    const row = this.database.prepare(`SELECT * FROM stored_responses WHERE id = @id AND owner_key_id IS @owner AND ${LIVE}`).get({ id, owner: ownerKeyId, now: this.now() });
    return row ? entryFromRow(row as Record<string, unknown>) : undefined;
  }

  async chain(id: string, ownerKeyId: string | null): Promise<StoredResponse[]> {
    const rows = this.database.prepare(CHAIN).all({ id, owner: ownerKeyId, now: this.now() }) as Array<Record<string, unknown>>;
    return rows.map(entryFromRow);
  }

  async delete(id: string, ownerKeyId: string | null): Promise<boolean> {
    return this.database.prepare('DELETE FROM stored_responses WHERE id = @id AND owner_key_id IS @owner').run({ id, owner: ownerKeyId }).changes > 0;
  }

  async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }

  private pruneNow(now: number): void {
    this.database.prepare('DELETE FROM stored_responses WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now);
    if (this.options.maxResponses !== undefined) {
      this.database
        .prepare('DELETE FROM stored_responses WHERE id IN (SELECT id FROM stored_responses ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?)')
        .run(this.options.maxResponses);
    }
  }
}
