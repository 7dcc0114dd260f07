/** Opens the response store that goes with `storage.url`: the same SQLite file or PostgreSQL database as the request log. */
import type { ResponseStore, ResponseStoreOptions } from './response-store.js';
import { SqliteResponseStore } from './sqlite-response-store.js';

export async function openResponseStore(storageUrl: string, options: ResponseStoreOptions = {}): Promise<ResponseStore> {
  if (storageUrl.startsWith('postgres://') || storageUrl.startsWith('postgresql://')) {
    const { PostgresResponseStore } = await import('./postgres-response-store.js');
    return PostgresResponseStore.open(storageUrl, options);
  }
  if (storageUrl === 'sqlite::memory:' || storageUrl === 'sqlite://:memory:') return new SqliteResponseStore(':memory:', options);
  return new SqliteResponseStore(storageUrl.slice('sqlite://'.length), options);
}
