/** Opens the team and end-user store that goes with `storage.url`, like the key store. */
import type { LimitsStore } from './limits-store.js';
import { SqliteLimitsStore } from './sqlite-limits-store.js';

export async function openLimitsStore(storageUrl: string): Promise<LimitsStore> {
  if (storageUrl.startsWith('postgres://') || storageUrl.startsWith('postgresql://')) {
    const { PostgresLimitsStore } = await import('./postgres-limits-store.js');
    return PostgresLimitsStore.open(storageUrl);
  }
  if (storageUrl === 'sqlite::memory:' || storageUrl === 'sqlite://:memory:') return new SqliteLimitsStore(':memory:');
  return new SqliteLimitsStore(storageUrl.slice('sqlite://'.length));
}
