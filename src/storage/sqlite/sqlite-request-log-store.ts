/**
 * The embedded default store: one SQLite file in WAL mode, written in batched transactions.
 * better-sqlite3 is synchronous; a batch of a few hundred rows takes about a millisecond, which
 * is why writes are batched by `RequestLogWriter` instead of done per request.
 */
import Database from 'better-sqlite3';
import type { RequestLogStore, SpendQuery, SpendRow, SpendSums } from '../request-log-store.js';
import type { RequestRecord } from '../request-record.js';
import { ADDED_COLUMNS, BATCH_SUMS, GROUP_COLUMNS, spendRowFromSums, RECORD_COLUMNS, recordFromRow, rowValuesFromRecord } from '../record-columns.js';
import { searchQuery, seriesQuery, SQLITE_PLACEHOLDER, type RequestFilter, type SeriesRow } from '../request-log-queries.js';
import { openSqliteDatabase } from './open-sqlite-database.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS request_log (
  id TEXT PRIMARY KEY,
  timestamp INTEGER NOT NULL,
  day TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  requested_model TEXT, served_model TEXT, provider TEXT, deployment TEXT,
  route TEXT, route_strategy TEXT, route_decision TEXT, route_reason TEXT, router_score REAL,
  status INTEGER NOT NULL, error_code TEXT, error_message TEXT,
  prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL, cost_estimated INTEGER NOT NULL, baseline_cost_usd REAL,
  latency_ms REAL NOT NULL, ttft_ms REAL, streamed INTEGER NOT NULL,
  attempts TEXT NOT NULL,
  key_id TEXT, team TEXT, end_user TEXT, degradation TEXT, metadata TEXT,
  request_body TEXT, response_body TEXT
);
CREATE INDEX IF NOT EXISTS request_log_timestamp ON request_log (timestamp);
CREATE INDEX IF NOT EXISTS request_log_key_timestamp ON request_log (key_id, timestamp);
`;

export class SqliteRequestLogStore implements RequestLogStore {
  private readonly database: Database.Database;
  private readonly insert: Database.Statement;
  private readonly insertBatch: (records: readonly RequestRecord[]) => void;

  constructor(path: string) {
    this.database = openSqliteDatabase(path, SCHEMA, ['synchronous = NORMAL']);
    const existing = new Set((this.database.prepare('PRAGMA table_info(request_log)').all() as Array<{ name: string }>).map((column) => column.name));
    for (const column of ADDED_COLUMNS) {
      if (!existing.has(column.name)) this.database.exec(`ALTER TABLE request_log ADD COLUMN ${column.name} ${column.type}`);
    }
    // Positional parameters: binding 34 named ones per row cost more than the insert itself.
    const placeholders = RECORD_COLUMNS.map(() => '?').join(', ');
    this.insert = this.database.prepare(`INSERT OR REPLACE INTO request_log (${RECORD_COLUMNS.join(', ')}) VALUES (${placeholders})`);
    this.insertBatch = this.database.transaction((records: readonly RequestRecord[]) => {
      for (const record of records) this.insert.run(...rowValuesFromRecord(record, { booleansAsIntegers: true }));
    });
  }

  async insertMany(records: readonly RequestRecord[]): Promise<void> {
    if (records.length > 0) this.insertBatch(records);
  }

  async spend(query: SpendQuery): Promise<SpendRow[]> {
    const column = GROUP_COLUMNS[query.groupBy];
    const rows = this.database
      .prepare(
        `SELECT ${column} AS "group", COUNT(*) AS requests,
                SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
                SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
                SUM(cost_usd) AS cost_usd, SUM(COALESCE(baseline_cost_usd, cost_usd)) AS baseline_cost_usd,
                ${BATCH_SUMS}
         FROM request_log WHERE timestamp >= ? AND timestamp < ?
         GROUP BY ${column} ORDER BY cost_usd DESC, requests DESC`,
      )
      .all(query.from ?? 0, query.to ?? Number.MAX_SAFE_INTEGER) as Array<SpendSums>;
    return rows.map(spendRowFromSums);
  }

  async recent(limit: number): Promise<RequestRecord[]> {
    const rows = this.database.prepare('SELECT * FROM request_log ORDER BY timestamp DESC, rowid DESC LIMIT ?').all(limit) as Array<Record<string, unknown>>;
    return rows.map(recordFromRow);
  }

  async seriesRows(from: number, to: number): Promise<SeriesRow[]> {
    return this.database.prepare(seriesQuery(SQLITE_PLACEHOLDER)).all(from, to) as SeriesRow[];
  }

  async search(filter: RequestFilter): Promise<RequestRecord[]> {
    const { sql, values } = searchQuery(filter, SQLITE_PLACEHOLDER);
    return (this.database.prepare(sql).all(...values) as Array<Record<string, unknown>>).map((row) => recordFromRow({ ...row, request_body: null, response_body: null }));
  }

  async find(id: string): Promise<RequestRecord | undefined> {
    const row = this.database.prepare('SELECT * FROM request_log WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return row ? recordFromRow(row) : undefined;
  }

  async ping(): Promise<void> {
    this.database.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }
}
