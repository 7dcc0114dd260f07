/** Opens the key store that goes with `storage.url`: the same SQLite file or PostgreSQL database. */
import { isPostgresUrl, sqlitePathOf } from '../../storage/storage-url.js';
import type { KeyStore } from './key-store.js';
import { SqliteKeyStore } from './sqlite-key-store.js';

export async function openKeyStore(storageUrl: string): Promise<KeyStore> {
  if (isPostgresUrl(storageUrl)) {
    const { PostgresKeyStore } = await import('./postgres-key-store.js');
    return PostgresKeyStore.open(storageUrl);
  }
  return new SqliteKeyStore(sqlitePathOf(storageUrl));
}
