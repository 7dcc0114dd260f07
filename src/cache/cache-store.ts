/**
 * Where cached answers live: the embedded SQLite file (sqlite-cache-store.ts), or Redis when
 * `redis:` is configured (redis-cache-store.ts), shared by every instance. Entries are found by
 * tenant, named model and request hash; the tenant is part of the address, so a lookup can only
 * ever see its own tenant's entries.
 */
import type { CacheAddress } from './cache-key.js';
import type { CacheEntry } from './cache-entry.js';

export interface CacheClearFilter {
  /** A tenant: `key:<id>`, `team:<name>`, `global`. */
  tenant?: string;
  /** The model or route the requests named. */
  model?: string;
}

export interface CacheStore {
  /** `maxAgeMs`: only an entry younger than this. Expired entries are never returned. */
  get(address: CacheAddress, now: number): Promise<CacheEntry | undefined>;
  set(address: CacheAddress, entry: CacheEntry): Promise<void>;
  /** Deletes matching entries (all with an empty filter) and returns how many. */
  clear(filter: CacheClearFilter): Promise<number>;
  close(): Promise<void>;
}

/**
 * The semantic layer's questions as a log several instances share (Redis): each instance appends
 * the questions it stores and reads the ones appended since it last looked, so a paraphrase is
 * matched whichever instance stored the answer.
 */
export interface SharedQuestionLog {
  appendQuestion(partition: string, question: LoggedQuestion, maxLength: number, ttlMs: number): Promise<void>;
  /** Questions appended after the one with id `after` (`'0'`: all kept), and the last id read. */
  questionsSince(partition: string, after: string): Promise<{ last: string; questions: LoggedQuestion[] }>;
}

export interface LoggedQuestion {
  address: CacheAddress;
  vector: Float32Array;
}

export function isSharedQuestionLog(store: CacheStore): store is CacheStore & SharedQuestionLog {
  return typeof (store as Partial<SharedQuestionLog>).questionsSince === 'function';
}
