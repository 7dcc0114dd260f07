/**
 * The request-log reads behind the dashboard (`/api/timeseries`, `/api/requests/search`), as
 * SQL that SQLite and PostgreSQL both run: only the placeholder style differs, so each store
 * passes its own. Filters are bound parameters; column names are fixed strings, never input.
 */

/** The columns a time series reads: enough for every chart, none of the bodies. */
export const SERIES_COLUMNS = [
  'timestamp', 'status', 'cost_usd', 'baseline_cost_usd', 'cache_saved_usd', 'context_saved_usd',
  'latency_ms', 'route', 'route_decision', 'router_score', 'cache_status',
] as const;

export interface SeriesRow {
  timestamp: number;
  status: number;
  cost_usd: number;
  baseline_cost_usd: number | null;
  cache_saved_usd: number | null;
  context_saved_usd: number | null;
  latency_ms: number;
  route: string | null;
  route_decision: string | null;
  router_score: number | null;
  cache_status: string | null;
}

export interface RequestFilter {
  key_id?: string;
  /** Requested or served model (or route name). */
  model?: string;
  route?: string;
  /** An exact status (`429`) or a class (`4xx`, `5xx`, `error` for ≥ 400). */
  status?: string;
  from?: number;
  to?: number;
  /** Text found in the request id, error, models, route reason, metadata or kept bodies. */
  text?: string;
  /** Rows older than this timestamp only (paging). */
  before?: number;
  limit: number;
}

/** The list view's columns: the whole record but its bodies, which only the detail view reads. */
export const LIST_COLUMNS = [
  'id', 'timestamp', 'endpoint', 'requested_model', 'served_model', 'provider', 'deployment',
  'route', 'route_strategy', 'route_decision', 'route_reason', 'router_score',
  'status', 'error_code', 'error_message', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'reasoning_tokens',
  'cost_usd', 'cost_estimated', 'baseline_cost_usd', 'latency_ms', 'ttft_ms', 'streamed', 'attempts',
  'key_id', 'team', 'end_user', 'degradation', 'metadata', 'surface', 'anomaly',
  'cache_status', 'cache_saved_usd', 'context_saved_usd', 'guardrails',
] as const;

export type Placeholder = (index: number) => string;
export const SQLITE_PLACEHOLDER: Placeholder = () => '?';
export const POSTGRES_PLACEHOLDER: Placeholder = (index) => `$${index}`;

export function seriesQuery(placeholder: Placeholder): string {
  return `SELECT ${SERIES_COLUMNS.join(', ')} FROM request_log WHERE timestamp >= ${placeholder(1)} AND timestamp < ${placeholder(2)} ORDER BY timestamp`;
}

/** `LIKE` with the user's text as a literal: its own %, _ and \ escaped. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export function searchQuery(filter: RequestFilter, placeholder: Placeholder): { sql: string; values: unknown[] } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const bind = (value: unknown) => {
    values.push(value);
    return placeholder(values.length);
  };
  if (filter.key_id) conditions.push(`key_id = ${bind(filter.key_id)}`);
  if (filter.model) {
    conditions.push(`(requested_model = ${bind(filter.model)} OR served_model = ${bind(filter.model)})`);
  }
  if (filter.route) conditions.push(`route = ${bind(filter.route)}`);
  if (filter.status) {
    const status = filter.status.toLowerCase();
    if (status === 'error') conditions.push('status >= 400');
    else if (/^[1-5]xx$/.test(status)) conditions.push(`status >= ${bind(Number(status[0]) * 100)} AND status < ${bind(Number(status[0]) * 100 + 100)}`);
    else conditions.push(`status = ${bind(Number(status))}`);
  }
  if (filter.from !== undefined) conditions.push(`timestamp >= ${bind(filter.from)}`);
  if (filter.to !== undefined) conditions.push(`timestamp < ${bind(filter.to)}`);
  if (filter.before !== undefined) conditions.push(`timestamp < ${bind(filter.before)}`);
  if (filter.text) {
    const pattern = likePattern(filter.text);
    const searched = ['id', 'requested_model', 'served_model', 'error_message', 'route_reason', 'metadata', 'request_body', 'response_body', 'end_user'];
    // Bound once per use: SQLite's anonymous placeholders cannot be reused.
    conditions.push(`(${searched.map((column) => `${column} LIKE ${bind(pattern)} ESCAPE '\\'`).join(' OR ')})`);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return { sql: `SELECT ${LIST_COLUMNS.join(', ')} FROM request_log ${where} ORDER BY timestamp DESC, id DESC LIMIT ${bind(filter.limit)}`, values };
}
