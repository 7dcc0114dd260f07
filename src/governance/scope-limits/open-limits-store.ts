/** Opens the team and end-user store that goes with `storage.url`, like the key store. */
import { isPostgresUrl, sqlitePathOf } from '../../storage/storage-url.js';
import type { LimitsStore } from './limits-store.js';
import { SqliteLimitsStore } from './sqlite-limits-store.js';

export async function openLimitsStore(storageUrl: string): Promise<LimitsStore> {
  if (isPostgresUrl(storageUrl)) {
    const { PostgresLimitsStore } = await import('./postgres-limits-store.js');
    return PostgresLimitsStore.open(storageUrl);
  }
  return new SqliteLimitsStore(sqlitePathOf(storageUrl));
}
