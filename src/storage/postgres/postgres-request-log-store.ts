import { ConfigError } from '../../config/config-error.js';
import type { RequestLogStore } from '../request-log-store.js';

/** Placeholder until the PostgreSQL backend lands (issue 5). */
export async function openPostgresRequestLogStore(_url: string): Promise<RequestLogStore> {
  throw new ConfigError('storage.url: PostgreSQL storage is not available in this build yet; use sqlite://');
}
