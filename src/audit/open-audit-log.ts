/** Opens the audit log that goes with `storage.url`: the same SQLite file or PostgreSQL database. */
import { isPostgresUrl, sqlitePathOf } from '../storage/storage-url.js';
import { AuditLog } from './audit-log.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';

export async function openAuditLog(storageUrl: string): Promise<AuditLog> {
  if (isPostgresUrl(storageUrl)) {
    const { PostgresAuditStore } = await import('./postgres-audit-store.js');
    return new AuditLog(await PostgresAuditStore.open(storageUrl));
  }
  return new AuditLog(new SqliteAuditStore(sqlitePathOf(storageUrl)));
}
