/**
 * The budget-bypass sweep: every path the adversarial review found around a budget, each driven
 * with 100 concurrent requests against a $0.01 budget, on one instance and on three instances
 * sharing Redis and PostgreSQL. The upstream bills what it was really sent and everything the
 * call allowed (testing/billing-upstream.ts). Spend may pass the budget by at most one
 * request's true cost — the one request settled over its reservation — never by more.
 */
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBillingUpstream } from '../testing/billing-upstream.js';
import type { FakeUpstream } from '../testing/fake-upstream.js';
import { ADMIN_KEY, clientFor, createKey } from '../testing/governance-test-helpers.js';
import { deleteRedisPrefix, dropPostgresSchema, sharedServicesFor, TEST_POSTGRES_URL, TEST_REDIS_URL } from '../testing/shared-services.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

const BUDGET_USD = 0.01;
const CONCURRENT = 100;

const services = await sharedServicesFor('the 3-instance budget sweep');

function models(upstreamUrl: string) {
  const compatible = (name: string, model: string, price: { input: number; output: number }, extra: Record<string, unknown> = {}) => ({
    name, provider: 'openai-compatible', model, base_url: `${upstreamUrl}/v1`, price, ...extra,
  });
  return [
    compatible('cheap-broken', 'failing', { input: 0.01, output: 0.01 }, { fallbacks: ['pricey'] }),
    compatible('pricey', 'pricey', { input: 10, output: 10 }),
    compatible('mini', 'gpt-4o-mini-tools', { input: 0.15, output: 0.6 }),
    compatible('vision', 'gpt-4o', { input: 0.15, output: 0.6 }),
    compatible('embedder', 'text-embedding-pricey', { input: 1, output: 0 }),
    compatible('liar', 'liar', { input: 2.5, output: 10 }),
    { name: 'claude', provider: 'anthropic', model: 'claude-3-5-haiku-20241022', base_url: upstreamUrl, api_key: 'sk-ant-test', price: { input: 0.08, output: 0.1 } },
  ];
}

const words = 'the budget holds under concurrency whatever path a request takes through the gateway'.split(' ');
const longText = (count: number) => Array.from({ length: count }, (_, index) => words[index % words.length]).join(' ');
/** About 40 KB of tool definitions, billed as input by every provider. */
const bigTools = Array.from({ length: 20 }, (_, index) => ({
  type: 'function' as const,
  function: { name: `tool_${index}`, description: longText(300), parameters: { type: 'object', properties: { query: { type: 'string', description: longText(30) } } } },
}));
const IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const hello = [{ role: 'user' as const, content: 'Hello' }];

interface Vector {
  name: string;
  call(client: OpenAI): Promise<unknown>;
}

const VECTORS: Vector[] = [
  { name: 'a cheap model failing over to a 1,000× pricier fallback', call: (client) => client.chat.completions.create({ model: 'cheap-broken', max_tokens: 100, messages: hello }) },
  { name: '40 KB of tool definitions with max_tokens 5', call: (client) => client.chat.completions.create({ model: 'mini', max_tokens: 5, messages: hello, tools: bigTools }) },
  {
    name: 'an image in every request',
    call: (client) => client.chat.completions.create({ model: 'vision', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: IMAGE } }] }] }),
  },
  { name: 'embeddings of a long text', call: (client) => client.embeddings.create({ model: 'embedder', input: longText(800) }) },
  { name: 'an upstream over-reporting usage (1M tokens for max_tokens 10)', call: (client) => client.chat.completions.create({ model: 'liar', max_tokens: 10, messages: hello }) },
  { name: 'an Anthropic model without max_tokens (8,192 sent)', call: (client) => client.chat.completions.create({ model: 'claude', messages: hello }) },
];

async function attempt(vector: Vector, client: OpenAI): Promise<{ ok: boolean; code?: string | null }> {
  try {
    await vector.call(client);
    return { ok: true };
  } catch (error) {
    if (error instanceof OpenAI.APIError) return { ok: false, code: error.code };
    throw error;
  }
}

/** Sweeps every vector against `instances`, each request on the next instance in turn. */
function sweep(label: string, instances: () => TestGateway[]) {
  describe(label, () => {
    it.each(VECTORS)('keeps a one-cent budget against $name', async (vector) => {
      const gateways = instances();
      const { id, key } = await createKey(gateways[0]!.url, { name: `sweep-${randomBytes(3).toString('hex')}`, budget_usd: BUDGET_USD, budget_period: 'day' });
      const clients = gateways.map((gateway) => clientFor(gateway.url, key));
      const results = await Promise.all(Array.from({ length: CONCURRENT }, (_, index) => attempt(vector, clients[index % clients.length]!)));
      const admitted = results.filter((result) => result.ok).length;
      for (const result of results.filter((candidate) => !candidate.ok)) expect(result.code).toBe('budget_exceeded');

      // Rows are written after settlement, a moment after each client has its answer.
      let rows: Array<{ cost_usd: number; status: number }> = [];
      for (let wait = 0; wait < 60 && rows.length < CONCURRENT; wait++) {
        await Promise.all(gateways.map((gateway) => gateway.gateway.logWriter.flush()));
        rows = (await gateways[0]!.gateway.store.recent(1000)).filter((record) => record.key_id === id);
        if (rows.length < CONCURRENT) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(rows).toHaveLength(CONCURRENT);
      const spent = rows.reduce((sum, row) => sum + row.cost_usd, 0);
      const largest = Math.max(...rows.map((row) => row.cost_usd));
      console.log(`${label} · ${vector.name}: ${admitted} admitted, spent $${spent.toFixed(6)} of $${BUDGET_USD} (largest request $${largest.toFixed(6)})`);
      expect(admitted).toBeGreaterThan(0);
      expect(spent).toBeLessThanOrEqual(BUDGET_USD + largest + 1e-12);
    });
  });
}

let upstream: FakeUpstream;
const single: TestGateway[] = [];
const shared: TestGateway[] = [];
const run = randomBytes(4).toString('hex');
const schema = `switchboard_sweep_${run}`;
const keyPrefix = `switchboard-sweep-${run}:`;

beforeAll(async () => {
  upstream = await startBillingUpstream();
  const config = { admin_key: ADMIN_KEY, models: models(upstream.url), retry: { attempts: 1 } };
  single.push(await startTestGateway(config));
  if (services.available) {
    for (let index = 0; index < 3; index++) {
      shared.push(
        await startTestGateway({
          ...config,
          storage: { url: `${TEST_POSTGRES_URL}?schema=${schema}`, flush_interval_ms: 20 },
          redis: { url: TEST_REDIS_URL, key_prefix: keyPrefix },
        }),
      );
    }
  }
});

afterAll(async () => {
  await Promise.all([...single, ...shared].map((gateway) => gateway.close()));
  await upstream?.close();
  if (services.available) {
    await deleteRedisPrefix(keyPrefix);
    await dropPostgresSchema(schema);
  }
});

sweep('one instance', () => single);
describe.skipIf(!services.available)('shared counters', () => sweep('three instances on Redis and PostgreSQL', () => shared));
