/**
 * Where `store: true` responses are kept, so that `previous_response_id` can continue them and
 * `GET /v1/responses/{id}` can return them. Each entry keeps this turn's input items and the
 * Response (whose `output` holds the answer); a conversation is rebuilt by following
 * `previous_response_id` links back (conversation.ts), so a long conversation costs one row per
 * turn, not a growing copy of itself.
 *
 * Every read takes the owner: a key sees only the responses it stored. The owner is the virtual
 * key id, or null when the request had none (authentication off, or the master key).
 *
 * Bounds, both off by default: `ttlMs` (an entry older than this is neither read nor kept) and
 * `maxResponses` (the oldest entries beyond this many are deleted). Expired and surplus entries
 * are deleted on a write, at most once per `pruneIntervalMs`.
 */
import type { InputItem } from '../input-items.js';
import type { ResponseObject } from '../response-types.js';

export interface StoredResponse {
  id: string;
  ownerKeyId: string | null;
  previousResponseId: string | null;
  /** This turn's input, as items (see `DecodedResponsesRequest.inputItems`). */
  inputItems: InputItem[];
  response: ResponseObject;
  /** When it was stored, in milliseconds since the epoch (the store's clock). */
  createdAtMs: number;
}

/** An entry to store: the store stamps the time. */
export type NewStoredResponse = Omit<StoredResponse, 'createdAtMs'>;

export interface ResponseStoreOptions {
  /** How long an entry is kept, in milliseconds; forever when absent. */
  ttlMs?: number;
  /** The most entries kept; unbounded when absent. */
  maxResponses?: number;
  /** The least time between two prunes, in milliseconds. */
  pruneIntervalMs?: number;
  /** The clock, in milliseconds since the epoch (tests move it). */
  now?: () => number;
}

export const DEFAULT_PRUNE_INTERVAL_MS = 60_000;

/**
 * The recursion guard of the chain query: far more turns than any conversation has, and small
 * enough that a corrupted table with a cycle cannot make a query run away.
 */
export const MAX_CHAIN_LENGTH = 100_000;

export interface ResponseStore {
  save(entry: NewStoredResponse): Promise<void>;
  get(id: string, ownerKeyId: string | null): Promise<StoredResponse | undefined>;
  /**
   * The response `id` and those it continues, oldest first. The chain stops early where a link
   * is missing (expired, pruned, deleted): the oldest entry then still names a previous id.
   */
  chain(id: string, ownerKeyId: string | null): Promise<StoredResponse[]>;
  /** Deletes the entry; false when the owner has no such entry. */
  delete(id: string, ownerKeyId: string | null): Promise<boolean>;
  close(): Promise<void>;
}

/** The columns, in the order both backends write them. */
export const STORED_RESPONSE_COLUMNS = ['id', 'owner_key_id', 'previous_response_id', 'input_items', 'response', 'created_at', 'expires_at'] as const;

export function rowFromEntry(entry: NewStoredResponse, createdAtMs: number, ttlMs: number | undefined): unknown[] {
  return [
    entry.id,
    entry.ownerKeyId,
    entry.previousResponseId,
    JSON.stringify(entry.inputItems),
    JSON.stringify(entry.response),
    createdAtMs,
    ttlMs === undefined ? null : createdAtMs + ttlMs,
  ];
}

export function entryFromRow(row: Record<string, unknown>): StoredResponse {
  return {
    id: row.id as string,
    ownerKeyId: (row.owner_key_id as string | null) ?? null,
    previousResponseId: (row.previous_response_id as string | null) ?? null,
    inputItems: JSON.parse(row.input_items as string) as InputItem[],
    response: JSON.parse(row.response as string) as ResponseObject,
    createdAtMs: Number(row.created_at),
  };
}

/** Decides when a write should also prune, so pruning costs one query a minute, not one a write. */
export class PruneSchedule {
  private lastPruneMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: ResponseStoreOptions) {}

  get enabled(): boolean {
    return this.options.ttlMs !== undefined || this.options.maxResponses !== undefined;
  }

  due(nowMs: number): boolean {
    if (!this.enabled || nowMs - this.lastPruneMs < (this.options.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS)) return false;
    this.lastPruneMs = nowMs;
    return true;
  }
}
