/** Opens the key store that goes with `storage.url`: the same SQLite file or PostgreSQL database. */
import type { KeyStore } from './key-store.js';
import { SqliteKeyStore } from './sqlite-key-store.js';

export async function openKeyStore(storageUrl: string): Promise<KeyStore> {
  if (storageUrl.startsWith('postgres://') || storageUrl.startsWith('postgresql://')) {
    const { PostgresKeyStore } = await import('./postgres-key-store.js');
    return PostgresKeyStore.open(storageUrl);
  }
  if (storageUrl === 'sqlite::memory:' || storageUrl === 'sqlite://:memory:') return new SqliteKeyStore(':memory:');
  return new SqliteKeyStore(storageUrl.slice('sqlite://'.length));
}
