/**
 * Three gateway instances sharing the real Redis (counters) and PostgreSQL (keys, request log):
 * one budget and one rate limit must hold across all of them, not three times over.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUpstream } from '../testing/fake-upstream.js';
import { deleteRedisPrefix, dropPostgresSchema, sharedServicesFor, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../testing/shared-services.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';
import { ADMIN_KEY, adminRequest, clientFor, createKey, pricedModels, startSpendingUpstream, tryChat } from '../testing/governance-test-helpers.js';

const services = await sharedServicesFor('multi-instance governance tests');

const run = randomBytes(4).toString('hex');
const schema = `switchboard_test_${run}`;
const keyPrefix = `switchboard-test-${run}:`;
let upstream: FakeUpstream;
const instances: TestGateway[] = [];

describe.skipIf(!services.available)('three instances sharing Redis and PostgreSQL', () => {
  beforeAll(async () => {
    upstream = await startSpendingUpstream();
    for (let index = 0; index < 3; index++) {
      instances.push(
        await startTestGateway({
          admin_key: ADMIN_KEY,
          models: pricedModels(upstream.url),
          storage: { url: `${TEST_POSTGRES_URL}?schema=${schema}`, flush_interval_ms: 20 },
          redis: { url: TEST_REDIS_URL, key_prefix: keyPrefix },
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
    await upstream?.close();
    await deleteRedisPrefix(keyPrefix);
    await dropPostgresSchema(schema);
  });

  it('keeps a $0.01 budget under 100 concurrent requests spread over 3 instances, and uses most of it', async () => {
    const { id, key } = await createKey(instances[0]!.url, { name: 'shared-budget', budget_usd: 0.01, budget_period: 'day' });
    const clients = instances.map((instance) => clientFor(instance.url, key));
    const results = await Promise.all(Array.from({ length: 100 }, (_, index) => tryChat(clients[index % 3]!, 'gpt-4o', 15)));
    const admitted = results.filter((result) => result.ok).length;
    for (const result of results.filter((candidate) => !candidate.ok)) expect(result.code).toBe('budget_exceeded');

    // Records are enqueued after settlement, a moment after the client has its response.
    let row: Record<string, any> | undefined;
    for (let attempt = 0; attempt < 50 && row?.requests !== 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await Promise.all(instances.map((instance) => instance.gateway.logWriter.flush()));
      const spend = await adminRequest(instances[2]!.url, 'GET', '/api/spend?group_by=key');
      row = spend.body.data.find((candidate: { group: string }) => candidate.group === id);
    }
    if (!row) throw new Error('no spend row for the key');
    console.log(`3 instances, $0.01 budget, 100 concurrent: ${admitted} admitted, spent $${row.cost_usd.toFixed(6)} (${((row.cost_usd / 0.01) * 100).toFixed(1)}%)`);
    expect(row.requests).toBe(100);
    expect(row.cost_usd).toBeLessThanOrEqual(0.01);
    expect(row.cost_usd).toBeGreaterThanOrEqual(0.008);
    const logged = (await instances[0]!.gateway.store.recent(1000)).filter((record) => record.key_id === id && record.status === 200);
    expect(logged.length).toBe(admitted);
    // Per-instance counters would let each instance spend up to $0.01 (up to $0.03 in all);
    // the ≤ $0.01 bound above is what proves the budget is shared.
  });

  it('admits no more than 30 requests a minute for rpm: 30 across 3 instances', async () => {
    const { key } = await createKey(instances[1]!.url, { name: 'shared-rpm', rpm: 30 });
    const clients = instances.map((instance) => clientFor(instance.url, key));
    const results = await Promise.all(Array.from({ length: 60 }, (_, index) => tryChat(clients[index % 3]!, 'gpt-4o-mini', 5)));
    expect(results.filter((result) => result.ok).length).toBe(30);
    const limited = results.filter((result) => !result.ok);
    expect(limited.length).toBe(30);
    for (const result of limited) {
      expect(result.status).toBe(429);
      expect(result.code).toBe('rate_limit_exceeded');
      expect(Number(result.headers!.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(result.headers!.get('x-ratelimit-limit-requests')).toBe('30');
    }
  });

  it('sees a key created on one instance and revoked on another everywhere', async () => {
    const { id, key } = await createKey(instances[0]!.url, { name: 'everywhere' });
    for (const instance of instances) expect((await tryChat(clientFor(instance.url, key), 'gpt-4o-mini', 5)).ok).toBe(true);
    await adminRequest(instances[1]!.url, 'POST', '/api/keys/revoke', { id });
    expect((await tryChat(clientFor(instances[1]!.url, key), 'gpt-4o-mini', 5)).status).toBe(401);
  });

  it('reports spend by key, team, user, model, route and day from PostgreSQL with savings that add up', async () => {
    for (const groupBy of ['key', 'team', 'user', 'model', 'route', 'day']) {
      const { status, body } = await adminRequest(instances[0]!.url, 'GET', `/api/spend?group_by=${groupBy}`);
      expect(status).toBe(200);
      for (const row of body.data) expect(row.baseline_cost_usd - row.cost_usd).toBeCloseTo(row.saved_usd, 12);
      expect(body.totals.requests).toBeGreaterThanOrEqual(160);
    }
  });
});
