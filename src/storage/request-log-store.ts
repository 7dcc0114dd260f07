/**
 * The storage contract for the request log. SQLite implements it for one machine; PostgreSQL
 * implements it for many instances. Both must survive restarts: spend totals come from here.
 */
import type { RequestFilter, SeriesRow } from './request-log-queries.js';
import type { RequestRecord } from './request-record.js';

export const SPEND_GROUPS = ['model', 'provider', 'day', 'key', 'team', 'user', 'route', 'requested_model', 'deployment', 'batch'] as const;
export type SpendGroup = (typeof SPEND_GROUPS)[number];

export interface SpendQuery {
  groupBy: SpendGroup;
  /** Inclusive lower bound, ms since epoch. */
  from?: number;
  /** Exclusive upper bound, ms since epoch. */
  to?: number;
}

export interface SpendRow {
  group: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
  baseline_cost_usd: number;
  saved_usd: number;
  /**
   * `saved_usd` by lever, against the same baseline (docs/cache.md, "Savings"): `cache` and
   * `context` are what the log recorded for them; `routing` is the rest — the baseline model's
   * cost of the tokens sent, less what was paid.
   */
  saved_by_lever: SavedByLever;
  /** Batch lines among `requests` (src/batch), their cost, and what they saved against live prices. */
  batch_requests: number;
  batch_cost_usd: number;
  batch_saved_usd: number;
}

export interface SavedByLever {
  routing: number;
  cache: number;
  context: number;
}

/** What a spend query's SQL returns per group; `spendRowFromSums` derives the rest. */
export type SpendSums = Omit<SpendRow, 'total_tokens' | 'saved_usd' | 'saved_by_lever' | 'batch_saved_usd'> & { batch_live_cost_usd: number; cache_saved_usd: number | null; context_saved_usd: number | null };

export interface RequestLogStore {
  insertMany(records: readonly RequestRecord[]): Promise<void>;
  spend(query: SpendQuery): Promise<SpendRow[]>;
  recent(limit: number): Promise<RequestRecord[]>;
  /** The chart columns of every request in [from, to), oldest first (the dashboard's time series). */
  seriesRows(from: number, to: number): Promise<SeriesRow[]>;
  /** Requests matching the filter, newest first, without their bodies. */
  search(filter: RequestFilter): Promise<RequestRecord[]>;
  /** One request with its bodies, if kept. */
  find(id: string): Promise<RequestRecord | undefined>;
  /** Resolves when the store answers a trivial query (readiness probes). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
