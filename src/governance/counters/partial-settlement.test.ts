/**
 * The two counter operations a batch's budget hold needs (admission/batch-hold.ts), on the
 * memory backend and on real Redis (skipped visibly when Redis is unreachable, failing under CI):
 * settling a hold line by line, and restoring a hold exactly, never twice.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, sharedServicesFor, TEST_REDIS_URL } from '../../testing/shared-services.js';
import type { CounterStore } from './counter-store.js';
import { MemoryCounterStore } from './memory-counter-store.js';
import { RedisCounterStore } from './redis-counter-store.js';

const services = await sharedServicesFor('Redis partial-settlement tests');

const prefix = `switchboard-test-partial-${randomBytes(4).toString('hex')}:`;
const stores: CounterStore[] = [];
const expiresAt = Date.now() + 86_400_000;

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  if (services.available) await deleteRedisPrefix(prefix);
});

const backends = [
  { name: 'memory', available: true, open: () => new MemoryCounterStore() },
  { name: 'Redis', available: services.available, open: () => new RedisCounterStore(TEST_REDIS_URL, prefix) },
];

describe.each(backends)('partial settlement on $name counters', ({ available, open }) => {
  it.skipIf(!available)('releases a line’s share of a hold and adds its actual cost, line by line', async () => {
    const store = open();
    stores.push(store);
    const key = `key:k-${randomBytes(3).toString('hex')}:usd`;
    expect(await store.reserve('batch-1', [{ key, limit: 1000, amount: 900, expiresAt }], 60_000)).toEqual({ ok: true });
    expect(await store.reserve('live-1', [{ key, limit: 1000, amount: 200, expiresAt }], 60_000)).toMatchObject({ ok: false });
    await store.settlePart('batch-1', [{ key, release: 300, actual: 120, expiresAt }]);
    expect(await store.usage([key])).toEqual([720]);
    // The room the line left is there for live traffic at once.
    expect(await store.reserve('live-2', [{ key, limit: 1000, amount: 200, expiresAt }], 60_000)).toEqual({ ok: true });
    await store.settle('live-2', [{ key, actual: 0, expiresAt }]);
    // A release larger than what is left releases what is left, never below zero.
    await store.settlePart('batch-1', [{ key, release: 5000, actual: 100, expiresAt }]);
    expect(await store.usage([key])).toEqual([220]);
    await store.settle('batch-1', [{ key, actual: 0, expiresAt }]);
    expect(await store.usage([key])).toEqual([220]);
  });

  it.skipIf(!available)('restores a hold to exactly its amount, however many times', async () => {
    const store = open();
    stores.push(store);
    const key = `key:k-${randomBytes(3).toString('hex')}:usd`;
    await store.seed(key, 50, expiresAt);
    await store.hold('batch-2', [{ key, limit: Infinity, amount: 400, expiresAt }], 60_000);
    await store.hold('batch-2', [{ key, limit: Infinity, amount: 400, expiresAt }], 60_000);
    expect(await store.usage([key])).toEqual([450]);
    await store.hold('batch-2', [{ key, limit: Infinity, amount: 100, expiresAt }], 60_000);
    expect(await store.usage([key])).toEqual([150]);
  });
});
