/**
 * The request log in PostgreSQL, for several gateway instances writing one log. Same columns as
 * SQLite (record-columns.ts); a batch is one multi-row INSERT.
 */
import type pg from 'pg';
import type { RequestLogStore, SpendQuery, SpendRow, SpendSums } from '../request-log-store.js';
import type { RequestRecord } from '../request-record.js';
import { ADDED_COLUMNS, BATCH_SUMS, GROUP_COLUMNS, spendRowFromSums, RECORD_COLUMNS, recordFromRow, rowFromRecord } from '../record-columns.js';
import { openPostgresPool, runMigration } from './postgres-pool.js';
import { POSTGRES_PLACEHOLDER, searchQuery, seriesQuery, type RequestFilter, type SeriesRow } from '../request-log-queries.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS request_log (
  id TEXT PRIMARY KEY,
  timestamp BIGINT NOT NULL,
  day TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  requested_model TEXT, served_model TEXT, provider TEXT, deployment TEXT,
  route TEXT, route_strategy TEXT, route_decision TEXT, route_reason TEXT, router_score DOUBLE PRECISION,
  status INTEGER NOT NULL, error_code TEXT, error_message TEXT,
  prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
  cost_usd DOUBLE PRECISION NOT NULL, cost_estimated BOOLEAN NOT NULL, baseline_cost_usd DOUBLE PRECISION,
  latency_ms DOUBLE PRECISION NOT NULL, ttft_ms DOUBLE PRECISION, streamed BOOLEAN NOT NULL,
  attempts TEXT NOT NULL,
  key_id TEXT, team TEXT, end_user TEXT, degradation TEXT, metadata TEXT,
  request_body TEXT, response_body TEXT
);
CREATE INDEX IF NOT EXISTS request_log_timestamp ON request_log (timestamp);
CREATE INDEX IF NOT EXISTS request_log_key_timestamp ON request_log (key_id, timestamp);
`;

/** PostgreSQL allows 65535 bind parameters per statement. */
const ROWS_PER_STATEMENT = Math.floor(65_000 / RECORD_COLUMNS.length);

export class PostgresRequestLogStore implements RequestLogStore {
  constructor(private readonly pool: pg.Pool) {}

  async insertMany(records: readonly RequestRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += ROWS_PER_STATEMENT) {
      const batch = records.slice(start, start + ROWS_PER_STATEMENT);
      const values: unknown[] = [];
      const tuples = batch.map((record) => {
        const row = rowFromRecord(record, { booleansAsIntegers: false });
        const placeholders = RECORD_COLUMNS.map((column) => {
          values.push(row[column] ?? null);
          return `$${values.length}`;
        });
        return `(${placeholders.join(', ')})`;
      });
      const updates = RECORD_COLUMNS.filter((column) => column !== 'id').map((column) => `${column} = EXCLUDED.${column}`).join(', ');
      await this.pool.query(`INSERT INTO request_log (${RECORD_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (id) DO UPDATE SET ${updates}`, values);
    }
  }

  async spend(query: SpendQuery): Promise<SpendRow[]> {
    const column = GROUP_COLUMNS[query.groupBy];
    const result = await this.pool.query(
      `SELECT ${column} AS "group", COUNT(*)::int AS requests,
              SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END)::int AS errors,
              SUM(prompt_tokens)::float8 AS prompt_tokens, SUM(completion_tokens)::float8 AS completion_tokens,
              SUM(cost_usd)::float8 AS cost_usd, SUM(COALESCE(baseline_cost_usd, cost_usd))::float8 AS baseline_cost_usd,
              ${BATCH_SUMS}
       FROM request_log WHERE timestamp >= $1 AND timestamp < $2
       GROUP BY ${column} ORDER BY cost_usd DESC, requests DESC`,
      [query.from ?? 0, query.to ?? Number.MAX_SAFE_INTEGER],
    );
    return (result.rows as SpendSums[]).map(spendRowFromSums);
  }

  async recent(limit: number): Promise<RequestRecord[]> {
    const result = await this.pool.query('SELECT * FROM request_log ORDER BY timestamp DESC, id DESC LIMIT $1', [limit]);
    return (result.rows as Array<Record<string, unknown>>).map(recordFromRow);
  }

  async seriesRows(from: number, to: number): Promise<SeriesRow[]> {
    const result = await this.pool.query(seriesQuery(POSTGRES_PLACEHOLDER), [from, to]);
    // BIGINT arrives as a string from pg; the rest are numbers already.
    return (result.rows as SeriesRow[]).map((row) => ({ ...row, timestamp: Number(row.timestamp) }));
  }

  async search(filter: RequestFilter): Promise<RequestRecord[]> {
    const { sql, values } = searchQuery(filter, POSTGRES_PLACEHOLDER);
    const result = await this.pool.query(sql, values);
    return (result.rows as Array<Record<string, unknown>>).map((row) => recordFromRow({ ...row, request_body: null, response_body: null }));
  }

  async find(id: string): Promise<RequestRecord | undefined> {
    const result = await this.pool.query('SELECT * FROM request_log WHERE id = $1', [id]);
    return result.rows[0] ? recordFromRow(result.rows[0]) : undefined;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export async function openPostgresRequestLogStore(url: string): Promise<RequestLogStore> {
  const pool = await openPostgresPool(url);
  const added = ADDED_COLUMNS.map((column) => `ALTER TABLE request_log ADD COLUMN IF NOT EXISTS ${column.name} ${column.type === 'REAL' ? 'DOUBLE PRECISION' : column.type};`).join('\n');
  await runMigration(pool, `${SCHEMA}\n${added}`);
  return new PostgresRequestLogStore(pool);
}
