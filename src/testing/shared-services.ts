/**
 * Reaching the real Redis and PostgreSQL that multi-instance tests need. When either is
 * unreachable, tests skip visibly (the reason is printed), except under CI, where they fail
 * with the reason: CI must never pass by skipping them.
 */
import { Redis } from 'ioredis';
import pg from 'pg';

export const TEST_REDIS_URL = process.env.SWITCHBOARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_POSTGRES_URL = process.env.SWITCHBOARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface SharedServices {
  available: boolean;
  /** Why they are not, for the skip message. */
  reason: string;
}

export async function probeSharedServices(): Promise<SharedServices> {
  const problems: string[] = [];
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(`Redis at ${TEST_REDIS_URL}: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    problems.push(`PostgreSQL at ${TEST_POSTGRES_URL}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  return { available: problems.length === 0, reason: problems.join('; ') };
}

/**
 * Probes Redis and PostgreSQL for the tests named by `tests` (in the messages), with the
 * project's policy: under CI an unreachable service fails the file with its reason; elsewhere
 * the tests skip, saying so.
 */
export async function sharedServicesFor(tests: string): Promise<SharedServices> {
  const services = await probeSharedServices();
  if (!services.available && process.env.CI) throw new Error(`${tests} need Redis and PostgreSQL under CI: ${services.reason}`);
  if (!services.available) console.warn(`SKIPPED ${tests}: ${services.reason}`);
  return services;
}

/** Deletes every Redis key under `prefix` (a test run's own namespace). */
export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function dropPostgresSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
