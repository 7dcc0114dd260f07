/**
 * The little the batch store needs from a SQL database, over SQLite (better-sqlite3) and
 * PostgreSQL (pg), so the store's queries are written once. Statements use `?` placeholders;
 * the PostgreSQL side numbers them.
 *
 * SQLite is one connection used from async code: a transaction's statements must not interleave
 * with another caller's, so every call goes through one queue. PostgreSQL transactions take a
 * client of their own from the pool.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type pg from 'pg';
import { openPostgresPool, runMigration } from '../../storage/postgres/postgres-pool.js';

export type Row = Record<string, unknown>;

export interface SqlDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs `work` in one transaction: all of it, or none of it. */
  transaction<T>(work: (database: SqlDatabase) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly database: Database.Database;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, schema: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.database = new Database(path);
    this.database.pragma('journal_mode = WAL');
    this.database.pragma('busy_timeout = 5000');
    this.database.exec(schema);
  }

  all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.serialized(() => this.allNow(sql, params));
  }

  run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.serialized(() => this.runNow(sql, params));
  }

  transaction<T>(work: (database: SqlDatabase) => Promise<T>): Promise<T> {
    return this.serialized(async () => {
      // Inside the queue: the transaction's own statements run directly, not queued behind it.
      const inside: SqlDatabase = {
        dialect: 'sqlite',
        all: async (sql, params = []) => this.allNow(sql, params),
        run: async (sql, params = []) => this.runNow(sql, params),
        transaction: (nested) => nested(inside),
        close: async () => {},
      };
      this.database.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(inside);
        this.database.exec('COMMIT');
        return result;
      } catch (error) {
        this.database.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    if (this.database.open) this.database.close();
  }

  private allNow(sql: string, params: readonly unknown[]): Row[] {
    return this.database.prepare(sql).all(...params.map(toSqlite)) as Row[];
  }

  private runNow(sql: string, params: readonly unknown[]): number {
    return this.database.prepare(sql).run(...params.map(toSqlite)).changes;
  }

  private serialized<T>(work: () => T | Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }
}

function toSqlite(value: unknown): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool | pg.PoolClient) {}

  static async open(url: string, schema: string): Promise<PostgresDatabase> {
    const pool = await openPostgresPool(url, { max: 4 });
    await runMigration(pool, schema);
    return new PostgresDatabase(pool);
  }

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(numbered(sql), params as unknown[])).rows as Row[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.pool.query(numbered(sql), params as unknown[])).rowCount ?? 0;
  }

  async transaction<T>(work: (database: SqlDatabase) => Promise<T>): Promise<T> {
    if (!('totalCount' in this.pool)) return work(this);
    const client = await (this.pool as pg.Pool).connect();
    try {
      await client.query('BEGIN');
      const result = await work(new PostgresDatabase(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if ('totalCount' in this.pool) await (this.pool as pg.Pool).end();
  }
}

/** `?` placeholders as PostgreSQL's `$1, $2…` (the store's SQL has no `?` inside strings). */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}
