/**
 * The little the batch store needs from a SQL database, over SQLite (better-sqlite3) and
 * PostgreSQL (pg), so the store's queries are written once. Statements use `?` placeholders;
 * the PostgreSQL side numbers them.
 *
 * A transaction is a list of steps, each given the row counts of the steps before it and
 * returning its statement (or nothing). SQLite runs them synchronously, inside one
 * better-sqlite3 transaction: holding SQLite's one write lock across an `await` would let any
 * other connection of this process (the key or response store) block the thread waiting for it.
 * PostgreSQL runs them on a client of their own from the pool.
 */
import Database from 'better-sqlite3';
import type pg from 'pg';
import { openPostgresPool, runMigration } from '../../storage/postgres/postgres-pool.js';
import { openSqliteDatabase } from '../../storage/sqlite/open-sqlite-database.js';

export type Row = Record<string, unknown>;

export interface Statement {
  sql: string;
  params: readonly unknown[];
}

/** One step of a transaction: given the rows changed by each earlier step, its statement or nothing. */
export type Step = (changes: readonly number[]) => Statement | undefined;

export interface SqlDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs the steps in one transaction, all or none; returns the rows each changed (0 when skipped). */
  transaction(steps: readonly Step[]): Promise<number[]>;
  close(): Promise<void>;
}

/**
 * Prepared statements kept per SQL text: a shadow comparison's insert, on the request thread,
 * spent about a quarter of its time compiling the statement again (a CPU profile of `npm run
 * bench -- --targets learned-shadow --cpu-prof DIR`). Some texts vary (`IN (?, ?, …)` lists), so
 * the cache is emptied when it reaches this size rather than grow without bound.
 */
const MAX_CACHED_STATEMENTS = 200;

export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly database: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(path: string, schema: string) {
    this.database = openSqliteDatabase(path, schema);
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      statement = this.database.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.statement(sql).all(...params.map(toSqlite)) as Row[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return this.statement(sql).run(...params.map(toSqlite)).changes;
  }

  async transaction(steps: readonly Step[]): Promise<number[]> {
    return this.database.transaction(() => {
      const changes: number[] = [];
      for (const step of steps) {
        const statement = step(changes);
        changes.push(statement ? this.statement(statement.sql).run(...statement.params.map(toSqlite)).changes : 0);
      }
      return changes;
    }).immediate();
  }

  async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }
}

function toSqlite(value: unknown): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {}

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

  async transaction(steps: readonly Step[]): Promise<number[]> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const changes: number[] = [];
      for (const step of steps) {
        const statement = step(changes);
        changes.push(statement ? ((await client.query(numbered(statement.sql), statement.params as unknown[])).rowCount ?? 0) : 0);
      }
      await client.query('COMMIT');
      return changes;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** `?` placeholders as PostgreSQL's `$1, $2…` (the store's SQL has no `?` inside strings). */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}
