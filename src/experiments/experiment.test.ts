/**
 * A/B experiments: sticky arms per user, `x-switchboard-arm` on every answer, and a report whose
 * counts and costs are the request log's, with the judge's win rate and the feedback mean per arm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { ADMIN_KEY, adminRequest } from '../testing/governance-test-helpers.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

let upstream: FakeUpstream;
let test: TestGateway;

beforeAll(async () => {
  upstream = await FakeUpstream.start((request) => {
    if (request.body.model === 'judge') {
      // This judge always prefers the large model's answer.
      const text: string = request.body.messages.at(-1).content;
      return openAICompletion({ content: JSON.stringify({ winner: text.indexOf('LARGE') < text.indexOf('SMALL') ? '1' : '2' }), model: 'judge' });
    }
    return openAICompletion({ content: `${request.body.model === 'large' ? 'LARGE' : 'SMALL'} answer`, model: request.body.model, promptTokens: 20, completionTokens: 10 + (request.body.messages.at(-1).content.length % 7) });
  });
  const model = (name: string, price: { input: number; output: number }) => ({ name, provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', price });
  const shadow = { sample: 1, max_concurrency: 64, budget_usd_per_day: 10 };
  test = await startTestGateway(
    {
      admin_key: ADMIN_KEY,
      models: [model('small', { input: 0.15, output: 0.6 }), model('large', { input: 2.5, output: 10 }), model('judge', { input: 1, output: 1 })],
      routes: [
        { name: 'auto-v1', strategy: 'learned', weak: 'small', strong: 'large', threshold: 1, shadow },
        { name: 'auto-v2', strategy: 'learned', weak: 'small', strong: 'large', threshold: 0, shadow },
        { name: 'support', strategy: 'experiment', arms: [{ name: 'control', route: 'auto-v1', weight: 0.5 }, { name: 'candidate', route: 'auto-v2', weight: 0.5 }], sticky: 'user' },
      ],
      judge: { model: 'judge' },
    },
    { apiKey: ADMIN_KEY },
  );
});

afterAll(async () => {
  await test?.close();
  await upstream?.close();
});

describe('experiments', () => {
  it('keeps each user on one arm and reports arms whose counts and costs are the request log\'s', async () => {
    const armOf = new Map<string, string>();
    const users = Array.from({ length: 60 }, (_, index) => `user-${index}`);
    for (const round of [1, 2]) {
      for (const user of users) {
        const { response } = await test.client.chat.completions.create({ model: 'support', user, messages: [{ role: 'user', content: `Question ${round} from ${user}` }] }).withResponse();
        const arm = response.headers.get('x-switchboard-arm')!;
        expect(['control', 'candidate']).toContain(arm);
        if (round === 2) expect(arm).toBe(armOf.get(user));
        armOf.set(user, arm);
        expect(response.headers.get('x-switchboard-model')).toBe(arm === 'control' ? 'small' : 'large');
        // The end user's thumbs: up for the large model's answers, down for the small one's.
        const feedback = await adminRequest(test.url, 'POST', '/v1/feedback', { request_id: response.headers.get('x-request-id'), metric: 'thumbs_up', value: arm === 'candidate' });
        expect(feedback.status).toBe(200);
      }
    }
    const until = Date.now() + 20_000;
    const labelled = async () => (await test.gateway.learning.store.list({ limit: 1000, labelled: true })).length;
    while ((await labelled()) < 120 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await labelled()).toBe(120);

    const report = (await adminRequest(test.url, 'GET', '/api/experiments/support')).body;
    expect(report.arms.map((arm: any) => arm.name)).toEqual(['control', 'candidate']);
    const spend = (await adminRequest(test.url, 'GET', '/api/spend?group_by=route')).body.data;
    const logged = (await test.gateway.store.recent(1000)).filter((record) => record.requested_model === 'support');
    expect(logged).toHaveLength(120);
    for (const arm of report.arms) {
      const rows = logged.filter((record) => record.route === arm.route);
      const spendRow = spend.find((row: any) => row.group === arm.route);
      expect(arm.requests).toBe(rows.length);
      expect(arm.requests).toBe(spendRow.requests);
      expect(arm.requests).toBe([...armOf.values()].filter((name) => name === arm.name).length * 2);
      expect(arm.cost_usd).toBeCloseTo(rows.reduce((sum, record) => sum + record.cost_usd, 0), 12);
      expect(arm.cost_usd).toBeCloseTo(spendRow.cost_usd, 12);
      expect(arm.cost_per_request.value).toBeCloseTo(arm.cost_usd / arm.requests, 12);
      expect(arm.cost_per_request.low).toBeLessThanOrEqual(arm.cost_per_request.value);
      expect(arm.cost_per_request.high).toBeGreaterThanOrEqual(arm.cost_per_request.value);
      const latencies = rows.map((record) => record.latency_ms).sort((left, right) => left - right);
      expect(arm.latency_ms.p50.value).toBe(latencies[Math.ceil(0.5 * latencies.length) - 1]);
      expect(arm.latency_ms.p95.value).toBe(latencies[Math.ceil(0.95 * latencies.length) - 1]);
    }
    const [control, candidate] = report.arms;
    expect(control.requests).toBeGreaterThanOrEqual(30);
    expect(candidate.requests).toBeGreaterThanOrEqual(30);
    // The judge prefers the large model: the candidate (large) always wins, the control never.
    expect(control.judge_win_rate).toMatchObject({ value: 0, n: control.requests });
    expect(candidate.judge_win_rate).toMatchObject({ value: 1, n: candidate.requests });
    expect(control.feedback_mean.value).toBe(0);
    expect(candidate.feedback_mean.value).toBe(1);
    const costComparison = report.comparisons.find((comparison: any) => comparison.metric === 'cost_per_request');
    expect(costComparison).toMatchObject({ arm: 'candidate', against: 'control', significant: true });
    expect(costComparison.difference).toBeCloseTo(candidate.cost_per_request.value - control.cost_per_request.value, 12);
    expect(report.significant).toBe(true);
    expect((await adminRequest(test.url, 'GET', '/api/experiments/auto-v1')).status).toBe(404);
  }, 120_000);
});
