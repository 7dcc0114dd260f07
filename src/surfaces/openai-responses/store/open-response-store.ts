/** Opens the response store that goes with `storage.url`: the same SQLite file or PostgreSQL database as the request log. */
import { isPostgresUrl, sqlitePathOf } from '../../../storage/storage-url.js';
import type { ResponseStore, ResponseStoreOptions } from './response-store.js';
import { SqliteResponseStore } from './sqlite-response-store.js';

export async function openResponseStore(storageUrl: string, options: ResponseStoreOptions = {}): Promise<ResponseStore> {
  if (isPostgresUrl(storageUrl)) {
    const { PostgresResponseStore } = await import('./postgres-response-store.js');
    return PostgresResponseStore.open(storageUrl, options);
  }
  return new SqliteResponseStore(sqlitePathOf(storageUrl), options);
}
