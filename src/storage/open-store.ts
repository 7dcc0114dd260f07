/**
 * Opens the request log store named by `storage.url`: `sqlite://path` (relative to the working
 * directory), `sqlite::memory:`, or `postgres://…`.
 */
import { ConfigError } from '../config/config-error.js';
import { isPostgresUrl, sqlitePathOf } from './storage-url.js';
import type { RequestLogStore } from './request-log-store.js';
import { SqliteRequestLogStore } from './sqlite/sqlite-request-log-store.js';
import { ThreadedSqliteRequestLogStore } from './sqlite/threaded-sqlite-request-log-store.js';

export async function openRequestLogStore(url: string): Promise<RequestLogStore> {
  if (url === 'sqlite::memory:' || url.startsWith('sqlite://')) {
    const path = sqlitePathOf(url);
    // A file database writes on a worker thread, off the event loop (threaded-sqlite-request-log-store.ts).
    return path === ':memory:' ? new SqliteRequestLogStore(path) : new ThreadedSqliteRequestLogStore(path);
  }
  if (isPostgresUrl(url)) {
    const { openPostgresRequestLogStore } = await import('./postgres/postgres-request-log-store.js');
    return openPostgresRequestLogStore(url);
  }
  throw new ConfigError(`storage.url: unsupported scheme in '${url.replace(/\/\/[^@]*@/, '//***@')}'; use sqlite://path or postgres://…`);
}

/** Where a SQLite URL stores its file, for the startup message. */
export function describeStorage(url: string): string {
  if (url.startsWith('sqlite://')) return `SQLite at ${url.slice('sqlite://'.length)}`;
  return `PostgreSQL at ${url.replace(/\/\/[^@]*@/, '//***@')}`;
}
