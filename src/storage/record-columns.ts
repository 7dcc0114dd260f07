/**
 * How a RequestRecord maps to table columns, shared by every SQL store so SQLite and
 * PostgreSQL cannot drift apart.
 */
import type { SpendGroup, SpendRow, SpendSums } from './request-log-store.js';
import type { RequestRecord } from './request-record.js';

export const RECORD_COLUMNS = [
  'id', 'timestamp', 'day', 'endpoint', 'requested_model', 'served_model', 'provider', 'deployment',
  'route', 'route_strategy', 'route_decision', 'route_reason', 'router_score',
  'status', 'error_code', 'error_message',
  'prompt_tokens', 'completion_tokens', 'cached_tokens', 'reasoning_tokens',
  'cost_usd', 'cost_estimated', 'baseline_cost_usd', 'latency_ms', 'ttft_ms', 'streamed',
  'attempts', 'key_id', 'team', 'end_user', 'degradation', 'metadata', 'request_body', 'response_body',
  'surface', 'anomaly', 'cache_status', 'cache_saved_usd', 'context_saved_usd', 'guardrails',
  'batch_id', 'live_cost_usd',
] as const;

/**
 * Columns added after a table was first created, with their SQL type (the same in SQLite and
 * PostgreSQL). Each store adds the ones an existing table lacks when it opens, so upgrading
 * keeps old rows; a new column goes here and in `RECORD_COLUMNS`, not in the CREATE TABLE.
 */
export const ADDED_COLUMNS: ReadonlyArray<{ name: (typeof RECORD_COLUMNS)[number]; type: 'TEXT' | 'REAL' | 'INTEGER' }> = [
  { name: 'surface', type: 'TEXT' },
  { name: 'anomaly', type: 'TEXT' },
  { name: 'cache_status', type: 'TEXT' },
  { name: 'cache_saved_usd', type: 'REAL' },
  { name: 'context_saved_usd', type: 'REAL' },
  { name: 'guardrails', type: 'TEXT' },
  { name: 'batch_id', type: 'TEXT' },
  { name: 'live_cost_usd', type: 'REAL' },
];

/** The column each spend grouping reads. Fixed strings: never built from user input. */
export const GROUP_COLUMNS: Record<SpendGroup, string> = {
  model: 'served_model',
  requested_model: 'requested_model',
  provider: 'provider',
  deployment: 'deployment',
  day: 'day',
  key: 'key_id',
  team: 'team',
  user: 'end_user',
  route: 'route',
  batch: 'batch_id',
};

/**
 * The lever and batch columns of a spend query, the same SQL in SQLite and PostgreSQL: what the
 * cache and context limits saved, batch lines, their cost, and their cost at live prices (a
 * paced line's live cost is its cost: no saving).
 */
export const BATCH_SUMS = `SUM(COALESCE(cache_saved_usd, 0)) AS cache_saved_usd, SUM(COALESCE(context_saved_usd, 0)) AS context_saved_usd,
  SUM(CASE WHEN batch_id IS NOT NULL THEN 1 ELSE 0 END) AS batch_requests,
  SUM(CASE WHEN batch_id IS NOT NULL THEN cost_usd ELSE 0 END) AS batch_cost_usd,
  SUM(CASE WHEN batch_id IS NOT NULL THEN COALESCE(live_cost_usd, cost_usd) ELSE 0 END) AS batch_live_cost_usd`;

export function spendRowFromSums(sums: SpendSums): SpendRow {
  const { batch_live_cost_usd: batchLiveCost, cache_saved_usd: cacheSaved, context_saved_usd: contextSaved, ...row } = sums;
  const batchRequests = Number(row.batch_requests ?? 0);
  const batchCost = Number(row.batch_cost_usd ?? 0);
  const saved = row.baseline_cost_usd - row.cost_usd;
  const cache = Number(cacheSaved ?? 0);
  const context = Number(contextSaved ?? 0);
  return {
    ...row,
    total_tokens: row.prompt_tokens + row.completion_tokens,
    saved_usd: saved,
    saved_by_lever: { routing: saved - cache - context, cache, context },
    batch_requests: batchRequests,
    batch_cost_usd: batchCost,
    batch_saved_usd: Number(batchLiveCost ?? 0) - batchCost,
  };
}

export function rowFromRecord(record: RequestRecord, options: { booleansAsIntegers: boolean }): Record<string, unknown> {
  const boolean = (value: boolean) => (options.booleansAsIntegers ? (value ? 1 : 0) : value);
  return {
    ...record,
    day: new Date(record.timestamp).toISOString().slice(0, 10),
    cost_estimated: boolean(record.cost_estimated),
    streamed: boolean(record.streamed),
    attempts: JSON.stringify(record.attempts),
    metadata: record.metadata ? JSON.stringify(record.metadata) : null,
  };
}

const DAY_MS = 86_400_000;
let cachedDayStart = 0;
let cachedDay = '1970-01-01';

/** `YYYY-MM-DD` (UTC) of a timestamp; the date is formatted once per day, not once per row. */
export function utcDay(timestamp: number): string {
  const start = timestamp - (timestamp % DAY_MS);
  if (start !== cachedDayStart) {
    cachedDayStart = start;
    cachedDay = new Date(start).toISOString().slice(0, 10);
  }
  return cachedDay;
}

/**
 * The row as positional values in `RECORD_COLUMNS` order. Same values as `rowFromRecord`, built
 * as one literal: the log write is on every request's CPU bill, and a loop over the column
 * names makes every `record[column]` a megamorphic lookup (3% of a request's instructions).
 * record-columns.test.ts checks the order against `RECORD_COLUMNS`.
 */
export function rowValuesFromRecord(record: RequestRecord, options: { booleansAsIntegers: boolean }): unknown[] {
  const integers = options.booleansAsIntegers;
  return [
    record.id, record.timestamp, utcDay(record.timestamp), record.endpoint,
    record.requested_model, record.served_model, record.provider, record.deployment,
    record.route, record.route_strategy, record.route_decision, record.route_reason, record.router_score,
    record.status, record.error_code, record.error_message,
    record.prompt_tokens, record.completion_tokens, record.cached_tokens, record.reasoning_tokens,
    record.cost_usd, integers ? (record.cost_estimated ? 1 : 0) : record.cost_estimated, record.baseline_cost_usd,
    record.latency_ms, record.ttft_ms, integers ? (record.streamed ? 1 : 0) : record.streamed,
    JSON.stringify(record.attempts), record.key_id, record.team, record.end_user, record.degradation,
    record.metadata ? JSON.stringify(record.metadata) : null, record.request_body, record.response_body,
    record.surface, record.anomaly, record.cache_status, record.cache_saved_usd, record.context_saved_usd, record.guardrails,
    record.batch_id, record.live_cost_usd,
  ];
}

export function recordFromRow(row: Record<string, unknown>): RequestRecord {
  const { day: _day, ...rest } = row;
  return {
    ...(rest as unknown as RequestRecord),
    timestamp: Number(row.timestamp),
    cost_estimated: Boolean(row.cost_estimated),
    streamed: Boolean(row.streamed),
    attempts: typeof row.attempts === 'string' ? JSON.parse(row.attempts) : (row.attempts as RequestRecord['attempts']),
    metadata: typeof row.metadata === 'string' ? JSON.parse(row.metadata) : (row.metadata as RequestRecord['metadata']),
  };
}
