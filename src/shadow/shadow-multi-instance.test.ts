/**
 * Two gateway instances sharing the real Redis (counters) and PostgreSQL (comparisons, call log):
 * a route's shadow budget holds across both, not twice over, and each sees the other's
 * comparisons.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { deleteRedisPrefix, dropPostgresSchema, sharedServicesFor, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../testing/shared-services.js';
import { ADMIN_KEY, adminRequest } from '../testing/governance-test-helpers.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

const services = await sharedServicesFor('multi-instance shadow tests');

const run = randomBytes(4).toString('hex');
const schema = `switchboard_shadow_${run}`;
const keyPrefix = `switchboard-shadow-${run}:`;
let upstream: FakeUpstream;
const instances: TestGateway[] = [];
/** The strong (shadow) call's most cost: 12 input and 20 output tokens at $2.5 / $10 per million. */
const STRONG_MOST = (12 * 2.5 + 20 * 10) / 1e6;

describe.skipIf(!services.available)('shadow tests on two instances sharing Redis and PostgreSQL', () => {
  beforeAll(async () => {
    upstream = await FakeUpstream.start((request) => openAICompletion({ content: `answer of ${request.body.model}`, model: request.body.model, promptTokens: 12, completionTokens: 20 }));
    const model = (name: string, price: { input: number; output: number }) => ({ name, provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', price });
    for (let index = 0; index < 2; index++) {
      instances.push(
        await startTestGateway(
          {
            admin_key: ADMIN_KEY,
            models: [model('small', { input: 0.15, output: 0.6 }), model('large', { input: 2.5, output: 10 })],
            routes: [{ name: 'auto', strategy: 'learned', weak: 'small', strong: 'large', threshold: 1, shadow: { sample: 1, budget_usd_per_day: STRONG_MOST * 4.5 } }],
            storage: { url: `${TEST_POSTGRES_URL}?schema=${schema}`, flush_interval_ms: 20 },
            redis: { url: TEST_REDIS_URL, key_prefix: keyPrefix },
          },
          { apiKey: ADMIN_KEY },
        ),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
    await upstream?.close();
    await deleteRedisPrefix(keyPrefix);
    await dropPostgresSchema(schema);
  });

  it('spends one shadow budget across both instances', async () => {
    for (let index = 0; index < 10; index++) {
      await instances[index % 2]!.client.chat.completions.create({ model: 'auto', max_tokens: 20, messages: [{ role: 'user', content: `Question ${index}` }] });
      // Let the shadow call settle before the next request reserves.
      const until = Date.now() + 3000;
      while (instances.some((instance) => instance.gateway.learning.runner.running('auto') > 0) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const strongCalls = upstream.requests.filter((request) => request.body.model === 'large').length;
    expect(strongCalls).toBe(4);
    const fromFirst = (await adminRequest(instances[0]!.url, 'GET', '/api/comparisons?route=auto')).body.data;
    const fromSecond = (await adminRequest(instances[1]!.url, 'GET', '/api/comparisons?route=auto')).body.data;
    expect(fromFirst).toHaveLength(4);
    expect(fromSecond.map((comparison: { id: string }) => comparison.id)).toEqual(fromFirst.map((comparison: { id: string }) => comparison.id));
    const spend = (await adminRequest(instances[1]!.url, 'GET', '/api/spend')).body.shadow;
    expect(spend.calls).toBe(4);
    expect(spend.cost_usd).toBeCloseTo(4 * STRONG_MOST, 12);
    expect(spend.cost_usd).toBeLessThanOrEqual(STRONG_MOST * 4.5);
  });
});
