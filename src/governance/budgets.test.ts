import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUpstream } from '../testing/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';
import { computeCost } from '../cost/compute-cost.js';
import { ADMIN_KEY, adminRequest, clientFor, createKey, pricedModels, spendingReply, startSpendingUpstream, tryChat } from '../testing/governance-test-helpers.js';

let upstream: FakeUpstream;
let test: TestGateway;

beforeAll(async () => {
  upstream = await startSpendingUpstream();
  test = await startTestGateway({ admin_key: ADMIN_KEY, models: pricedModels(upstream.url) });
});
afterAll(async () => {
  await test?.close();
  await upstream?.close();
});

async function spendFor(groupBy: string) {
  const response = await adminRequest(test.url, 'GET', `/api/spend?group_by=${groupBy}`);
  expect(response.status).toBe(200);
  return response.body as { data: Array<Record<string, any>>; totals: Record<string, number> };
}

describe('budgets', () => {
  it('never exceeds a $0.01 budget under 100 concurrent requests, yet uses most of it', async () => {
    const { id, key } = await createKey(test.url, { name: 'tight', budget_usd: 0.01, budget_period: 'day' });
    const client = clientFor(test.url, key);
    const upstreamBefore = upstream.requests.length;
    const results = await Promise.all(Array.from({ length: 100 }, () => tryChat(client, 'gpt-4o', 15)));

    const admitted = results.filter((result) => result.ok).length;
    const refused = results.filter((result) => !result.ok);
    expect(refused.length).toBeGreaterThan(0);
    for (const result of refused) {
      expect(result.status).toBe(429);
      expect(result.code).toBe('budget_exceeded');
      expect(result.message).toMatch(/key 'tight'.*daily budget of \$0\.0100.*resets at \d{4}-\d{2}-\d{2}T00:00:00/);
    }
    expect(upstream.requests.length - upstreamBefore).toBe(admitted);

    const row = (await spendFor('key')).data.find((candidate) => candidate.group === id)!;
    console.log(`$0.01 budget, 100 concurrent: ${admitted} admitted, spent $${row.cost_usd.toFixed(6)} (${((row.cost_usd / 0.01) * 100).toFixed(1)}%)`);
    expect(row.cost_usd).toBeLessThanOrEqual(0.01);
    expect(row.cost_usd).toBeGreaterThanOrEqual(0.008);
  });

  it('refuses a request once a token budget is used up and names the budget', async () => {
    const { key } = await createKey(test.url, { name: 'tokens', budget_tokens: 200, budget_period: 'week' });
    const client = clientFor(test.url, key);
    const results = [];
    for (let index = 0; index < 10; index++) results.push(await tryChat(client, 'gpt-4o-mini', 20));
    const refused = results.filter((result) => !result.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.code).toBe('budget_exceeded');
    expect(refused[0]!.message).toMatch(/weekly budget of 200 tokens/);
    const used = results.filter((result) => result.ok).length * (12 + 20);
    expect(used).toBeLessThanOrEqual(200);
  });

  it('settles a failed upstream call to zero so the budget is released', async () => {
    const { id, key } = await createKey(test.url, { name: 'released', budget_usd: 0.0005, budget_period: 'day' });
    upstream.setHandler(() => ({ status: 500, json: { error: { message: 'boom', type: 'server_error', param: null, code: null } } }));
    const failed = [];
    try {
      // Five failures in a row, each of which reserved 40% of the budget: only a release lets the next in.
      for (let index = 0; index < 5; index++) failed.push(await tryChat(clientFor(test.url, key), 'gpt-4o', 15));
    } finally {
      upstream.setHandler(spendingReply);
    }
    expect(failed.map((result) => result.status)).toEqual([502, 502, 502, 502, 502]);
    const next = await tryChat(clientFor(test.url, key), 'gpt-4o', 15);
    expect(next.ok).toBe(true);
    const row = (await spendFor('key')).data.find((candidate) => candidate.group === id)!;
    expect(row.requests).toBe(6);
  });
});

describe('progressive degradation', () => {
  it('switches strong-model requests to the weak model once the threshold is crossed', async () => {
    const budget = 0.002;
    const { id, key } = await createKey(test.url, {
      name: 'degrading',
      budget_usd: budget,
      budget_period: 'month',
      degradation: { steps: [{ at: 0.5, use_weak_model: true }], weak_model: 'gpt-4o-mini', at_limit: 'block' },
    });
    const client = clientFor(test.url, key);
    let spent = 0;
    const served: Array<{ model: string; shareBefore: number; degraded: string | null }> = [];
    for (let index = 0; index < 14; index++) {
      const result = await tryChat(client, 'gpt-4o', 15);
      expect(result.ok).toBe(true);
      if (!result.ok) break;
      served.push({ model: result.headers.get('x-switchboard-model')!, shareBefore: spent / budget, degraded: result.headers.get('x-switchboard-degraded') });
      spent += Number(result.headers.get('x-switchboard-cost-usd'));
    }
    for (const step of served) {
      expect(step.model).toBe(step.shareBefore >= 0.5 ? 'gpt-4o-mini' : 'gpt-4o');
      if (step.model === 'gpt-4o-mini') expect(step.degraded).toMatch(/model=gpt-4o-mini; reason: key budget \d+% used \(step at 50%\)/);
      else expect(step.degraded).toBeNull();
    }
    expect(served.some((step) => step.model === 'gpt-4o')).toBe(true);
    expect(served.some((step) => step.model === 'gpt-4o-mini')).toBe(true);

    await test.gateway.logWriter.flush();
    const records = (await test.gateway.store.recent(100)).filter((record) => record.key_id === id);
    const degraded = records.filter((record) => record.degradation);
    expect(degraded.length).toBe(served.filter((step) => step.model === 'gpt-4o-mini').length);
    for (const record of degraded) {
      expect(record.requested_model).toBe('gpt-4o');
      expect(record.served_model).toBe('gpt-4o-mini');
      const strongCost = computeCost({ promptTokens: record.prompt_tokens, completionTokens: record.completion_tokens, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, { input: 2.5, output: 10 });
      expect(record.baseline_cost_usd).toBeCloseTo(strongCost, 12);
    }
  });

  it('caps max_tokens and adds a concise instruction at a threshold', async () => {
    const { key } = await createKey(test.url, {
      name: 'capped',
      budget_usd: 0.01,
      degradation: { steps: [{ at: 0.0001, max_tokens: 5, concise: true }] },
    });
    const client = clientFor(test.url, key);
    await tryChat(client, 'gpt-4o', 100);
    const result = await tryChat(client, 'gpt-4o', 100);
    expect(result.ok && result.headers.get('x-switchboard-degraded')).toMatch(/max_tokens=5, concise/);
    const sent = upstream.lastRequest.body;
    expect(sent.max_tokens).toBe(5);
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'Be concise: answer in as few words as the question allows.' });
  });

  it('serves only the weak model past the limit when the policy says weak_only', async () => {
    const { key } = await createKey(test.url, {
      name: 'weak-only',
      budget_usd: 0.0003,
      degradation: { steps: [], weak_model: 'gpt-4o-mini', at_limit: 'weak_only' },
    });
    const client = clientFor(test.url, key);
    const results = [];
    for (let index = 0; index < 4; index++) results.push(await tryChat(client, 'gpt-4o', 15));
    expect(results.every((result) => result.ok)).toBe(true);
    const models = results.map((result) => (result.ok ? result.headers.get('x-switchboard-model') : null));
    expect(models[0]).toBe('gpt-4o');
    expect(models.at(-1)).toBe('gpt-4o-mini');
  });
});

describe('savings report', () => {
  it('adds up: baseline − cost = saved for every group and in total', async () => {
    for (const groupBy of ['key', 'model', 'team', 'user', 'route', 'day']) {
      const { data, totals } = await spendFor(groupBy);
      expect(data.length).toBeGreaterThan(0);
      for (const row of data) expect(row.baseline_cost_usd - row.cost_usd).toBeCloseTo(row.saved_usd, 12);
      const sum = (field: string) => data.reduce((total, row) => total + row[field], 0);
      expect(totals.cost_usd).toBeCloseTo(sum('cost_usd'), 12);
      expect(totals.baseline_cost_usd).toBeCloseTo(sum('baseline_cost_usd'), 12);
      expect(totals.saved_usd).toBeCloseTo(totals.baseline_cost_usd - totals.cost_usd, 12);
      // Degraded requests (gpt-4o asked, gpt-4o-mini served) saved money.
      expect(totals.saved_usd).toBeGreaterThan(0);
    }
  });
});
