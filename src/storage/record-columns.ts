/**
 * How a RequestRecord maps to table columns, shared by every SQL store so SQLite and
 * PostgreSQL cannot drift apart.
 */
import type { SpendGroup } from './request-log-store.js';
import type { RequestRecord } from './request-record.js';

export const RECORD_COLUMNS = [
  'id', 'timestamp', 'day', 'endpoint', 'requested_model', 'served_model', 'provider', 'deployment',
  'route', 'route_strategy', 'route_decision', 'route_reason', 'router_score',
  'status', 'error_code', 'error_message',
  'prompt_tokens', 'completion_tokens', 'cached_tokens', 'reasoning_tokens',
  'cost_usd', 'cost_estimated', 'baseline_cost_usd', 'latency_ms', 'ttft_ms', 'streamed',
  'attempts', 'key_id', 'team', 'end_user', 'degradation', 'metadata', 'request_body', 'response_body',
] as const;

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
};

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
