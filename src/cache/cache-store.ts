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
