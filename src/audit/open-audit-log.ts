/** Opens the audit log that goes with `storage.url`: the same SQLite file or PostgreSQL database. */
import { AuditLog } from './audit-log.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';

export async function openAuditLog(storageUrl: string): Promise<AuditLog> {
  if (storageUrl.startsWith('postgres://') || storageUrl.startsWith('postgresql://')) {
    const { PostgresAuditStore } = await import('./postgres-audit-store.js');
    return new AuditLog(await PostgresAuditStore.open(storageUrl));
  }
  if (storageUrl === 'sqlite::memory:' || storageUrl === 'sqlite://:memory:') return new AuditLog(new SqliteAuditStore(':memory:'));
  return new AuditLog(new SqliteAuditStore(storageUrl.slice('sqlite://'.length)));
}
