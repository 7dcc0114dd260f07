/**
 * The embedded cache store: one SQLite table in its own file (so cache writes never contend
 * with the request log's), read and written synchronously — a primary-key lookup is a few
 * microseconds, less than a thread hop would cost.
 *
 * Bounded: at most `maxEntries` rows. Each hit refreshes the row's `used_at`; when an insert
 * takes the table past the bound, the least recently used rows go (checked every 64 inserts, so
 * the table can exceed the bound by at most 64 rows between checks). Expired rows are deleted
 * when read and in the same sweeps. Losing the file loses nothing but hits, so it is written
 * with `synchronous = OFF`.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CacheAddress } from './cache-key.js';
import type { CacheEntry } from './cache-entry.js';
import type { CacheClearFilter, CacheStore } from './cache-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS response_cache (
  tenant TEXT NOT NULL,
  model TEXT NOT NULL,
  hash TEXT NOT NULL,
  entry TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, model, hash)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS response_cache_used ON response_cache (used_at);`;

const SWEEP_EVERY = 64;

export class SqliteCacheStore implements CacheStore {
  private readonly database: Database.Database;
  private readonly select: Database.Statement;
  private readonly touch: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private insertsSinceSweep = 0;

  constructor(
    path: string,
    private readonly maxEntries: number,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.database = new Database(path);
    this.database.pragma('journal_mode = WAL');
    this.database.pragma('synchronous = OFF');
    this.database.pragma('busy_timeout = 5000');
    this.database.exec(SCHEMA);
    this.select = this.database.prepare('SELECT entry, expires_at FROM response_cache WHERE tenant = ? AND model = ? AND hash = ?');
    this.touch = this.database.prepare('UPDATE response_cache SET used_at = ? WHERE tenant = ? AND model = ? AND hash = ?');
    this.upsert = this.database.prepare('INSERT OR REPLACE INTO response_cache (tenant, model, hash, entry, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.remove = this.database.prepare('DELETE FROM response_cache WHERE tenant = ? AND model = ? AND hash = ?');
  }

  async get(address: CacheAddress, now: number): Promise<CacheEntry | undefined> {
    const row = this.select.get(address.tenant, address.model, address.hash) as { entry: string; expires_at: number } | undefined;
    if (!row) return undefined;
    if (row.expires_at <= now) {
      this.remove.run(address.tenant, address.model, address.hash);
      return undefined;
    }
    this.touch.run(now, address.tenant, address.model, address.hash);
    return JSON.parse(row.entry) as CacheEntry;
  }

  async set(address: CacheAddress, entry: CacheEntry): Promise<void> {
    this.upsert.run(address.tenant, address.model, address.hash, JSON.stringify(entry), entry.expires_at, entry.created_at);
    if (++this.insertsSinceSweep >= SWEEP_EVERY) this.sweep(entry.created_at);
  }

  async clear(filter: CacheClearFilter): Promise<number> {
    const conditions: string[] = [];
    const values: string[] = [];
    if (filter.tenant !== undefined) {
      conditions.push('tenant = ?');
      values.push(filter.tenant);
    }
    if (filter.model !== undefined) {
      conditions.push('model = ?');
      values.push(filter.model);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    return this.database.prepare(`DELETE FROM response_cache ${where}`).run(...values).changes;
  }

  /** Rows in the table, expired ones included (tests, docs). */
  size(): number {
    return (this.database.prepare('SELECT COUNT(*) AS count FROM response_cache').get() as { count: number }).count;
  }

  /** Drops expired rows, then the least recently used past the bound. */
  sweep(now = Date.now()): void {
    this.insertsSinceSweep = 0;
    this.database.prepare('DELETE FROM response_cache WHERE expires_at <= ?').run(now);
    const excess = this.size() - this.maxEntries;
    if (excess > 0) {
      this.database.prepare('DELETE FROM response_cache WHERE (tenant, model, hash) IN (SELECT tenant, model, hash FROM response_cache ORDER BY used_at LIMIT ?)').run(excess);
    }
  }

  async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }
}
