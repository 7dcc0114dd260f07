/**
 * Opens (creating its folder) one of the gateway's SQLite files the way every store needs it:
 * write-ahead logging, so readers never wait for the writer, and a busy timeout, since several
 * worker processes may share the file and should wait for the lock instead of failing. Then the
 * store's own pragmas, and its schema (`CREATE … IF NOT EXISTS`, so opening is idempotent).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export function openSqliteDatabase(path: string, schema: string, pragmas: readonly string[] = []): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  for (const pragma of pragmas) database.pragma(pragma);
  database.exec(schema);
  return database;
}
