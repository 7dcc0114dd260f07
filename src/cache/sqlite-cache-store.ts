/**
 * The embedded cache store: one SQLite table in its own file (so cache writes never contend
 * with the request log's), read synchronously — a primary-key lookup is a few microseconds,
 * less than a thread hop would cost — and written behind: new entries and hits' `used_at`
 * wait in memory (where lookups see them at once) and go to the file together, in one
 * transaction, every 100 ms or every 256 writes. A write of its own per answer cost ~40 µs of
 * CPU (a commit each); batched it is a few (`npm run bench:micro`).
 *
 * Bounded: at most `maxEntries` rows. Every 16th flush counts the rows, and past the bound the
 * least recently used go (so the table can exceed the bound by at most the writes of 16 flushes
 * between checks). Expired rows are deleted in the same sweeps and never returned. Losing the
 * file loses nothing but hits, so it is written with `synchronous = OFF`.
 */
import Database from 'better-sqlite3';
import type { CacheAddress } from './cache-key.js';
import type { CacheEntry } from './cache-entry.js';
import type { CacheClearFilter, CacheStore } from './cache-store.js';
import { openSqliteDatabase } from '../storage/sqlite/open-sqlite-database.js';

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

const FLUSH_INTERVAL_MS = 100;
const FLUSH_SIZE = 256;
const SWEEP_EVERY_FLUSHES = 16;

interface PendingWrite {
  address: CacheAddress;
  entry: CacheEntry;
}

export class SqliteCacheStore implements CacheStore {
  private readonly database: Database.Database;
  private readonly select: Database.Statement;
  private readonly touch: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly writeBatch: (writes: PendingWrite[], touches: Array<[CacheAddress, number]>) => void;
  private pending = new Map<string, PendingWrite>();
  private touches = new Map<string, [CacheAddress, number]>();
  private timer: NodeJS.Timeout | undefined;
  private flushes = 0;

  constructor(
    path: string,
    private readonly maxEntries: number,
  ) {
    this.database = openSqliteDatabase(path, SCHEMA, ['synchronous = OFF']);
    this.select = this.database.prepare('SELECT entry FROM response_cache WHERE tenant = ? AND model = ? AND hash = ? AND expires_at > ?');
    this.touch = this.database.prepare('UPDATE response_cache SET used_at = ? WHERE tenant = ? AND model = ? AND hash = ?');
    this.upsert = this.database.prepare('INSERT OR REPLACE INTO response_cache (tenant, model, hash, entry, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.writeBatch = this.database.transaction((writes: PendingWrite[], touches: Array<[CacheAddress, number]>) => {
      for (const { address, entry } of writes) this.upsert.run(address.tenant, address.model, address.hash, JSON.stringify(entry), entry.expires_at, entry.created_at);
      for (const [address, usedAt] of touches) this.touch.run(usedAt, address.tenant, address.model, address.hash);
    });
  }

  async get(address: CacheAddress, now: number): Promise<CacheEntry | undefined> {
    const id = idOf(address);
    const waiting = this.pending.get(id);
    let entry: CacheEntry | undefined;
    if (waiting) entry = waiting.entry;
    else {
      const row = this.select.get(address.tenant, address.model, address.hash, now) as { entry: string } | undefined;
      entry = row ? (JSON.parse(row.entry) as CacheEntry) : undefined;
    }
    if (!entry || entry.expires_at <= now) return undefined;
    if (!waiting) {
      this.touches.set(id, [address, now]);
      this.schedule();
    }
    return entry;
  }

  async set(address: CacheAddress, entry: CacheEntry): Promise<void> {
    this.pending.set(idOf(address), { address, entry });
    this.schedule();
  }

  async clear(filter: CacheClearFilter): Promise<number> {
    this.flush();
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

  /** Rows in the file, expired ones included, once what waits is written (tests, docs). */
  size(): number {
    this.flush();
    return (this.database.prepare('SELECT COUNT(*) AS count FROM response_cache').get() as { count: number }).count;
  }

  /** Writes what waits; every 16th time, also drops expired rows and the least recently used past the bound. */
  flush(now = Date.now()): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.size === 0 && this.touches.size === 0) return;
    const writes = [...this.pending.values()];
    const touches = [...this.touches.values()];
    this.pending = new Map();
    this.touches = new Map();
    this.writeBatch(writes, touches);
    if (++this.flushes % SWEEP_EVERY_FLUSHES === 0) this.sweep(now);
  }

  /** Drops expired rows, then the least recently used past the bound. */
  sweep(now = Date.now()): void {
    this.database.prepare('DELETE FROM response_cache WHERE expires_at <= ?').run(now);
    const count = (this.database.prepare('SELECT COUNT(*) AS count FROM response_cache').get() as { count: number }).count;
    const excess = count - this.maxEntries;
    if (excess > 0) {
      this.database.prepare('DELETE FROM response_cache WHERE (tenant, model, hash) IN (SELECT tenant, model, hash FROM response_cache ORDER BY used_at LIMIT ?)').run(excess);
    }
  }

  async close(): Promise<void> {
    if (!this.database.open) return;
    this.flush();
    this.database.close();
  }

  private schedule(): void {
    if (this.pending.size + this.touches.size >= FLUSH_SIZE) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
      // A pending flush never keeps the process alive; close() writes what waits.
      this.timer.unref();
    }
  }
}

function idOf(address: CacheAddress): string {
  return `${address.tenant}\0${address.model}\0${address.hash}`;
}
