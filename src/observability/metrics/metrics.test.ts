import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../../testing/fake-upstream.js';
import { healthy } from '../../testing/faults.js';
import { openAICompletion, openAIError } from '../../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../../testing/test-gateway.js';
import { ADMIN_KEY, adminRequest, clientFor, createKey } from '../../testing/governance-test-helpers.js';
import { parsePrometheusText, sumOf, type Sample } from '../../testing/prometheus-text.js';

async function scrape(url: string, key = ADMIN_KEY): Promise<Sample[]> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parsePrometheusText(await response.text());
}

describe('GET /metrics', () => {
  let upstream: FakeUpstream;
  let flaky: FakeUpstream;
  let test: TestGateway;
  let failNext = 0;

  beforeAll(async () => {
    upstream = await FakeUpstream.start(healthy);
    flaky = await FakeUpstream.start((request) => (failNext-- > 0 ? openAIError(503, 'overloaded', 'server_error', null) : healthy(request)));
    test = await startTestGateway(
      {
        admin_key: ADMIN_KEY,
        retry: { attempts: 2, backoff_ms: 1, max_backoff_ms: 2 },
        models: [
          { name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-up', price: { input: 0.15, output: 0.6 } },
          { name: 'gpt-4o', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-up', price: { input: 2.5, output: 10 } },
          { name: 'flaky', provider: 'openai', base_url: `${flaky.url}/v1`, api_key: 'sk-up', price: { input: 1, output: 1 }, fallbacks: ['gpt-4o-mini'] },
        ],
        routes: [{ name: 'auto', strategy: 'random', weak: 'gpt-4o-mini', strong: 'gpt-4o', strong_share: 0.5 }],
      },
      { apiKey: ADMIN_KEY },
    );
  });

  afterAll(async () => {
    await test.close();
    await upstream.close();
    await flaky.close();
  });

  it('counts requests, tokens, cost, routing decisions and streamed time to first token from the request records', async () => {
    const before = await scrape(test.url);
    for (let index = 0; index < 5; index++) await test.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi ${index}` }] });
    const stream = await test.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'stream' }], stream: true });
    for await (const _chunk of stream) void _chunk;
    for (let index = 0; index < 10; index++) await test.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: `route ${index}` }] });
    const after = await scrape(test.url);
    const delta = (name: string, labels: Record<string, string> = {}) => sumOf(after, name, labels) - sumOf(before, name, labels);

    expect(delta('switchboard_requests_total', { model: 'gpt-4o-mini', status: '200', surface: 'chat-completions' })).toBe(6);
    expect(delta('switchboard_requests_total', { model: 'auto', route: 'auto', status: '200' })).toBe(10);
    expect(delta('gen_ai_client_operation_duration_seconds_count', { gen_ai_request_model: 'gpt-4o-mini', gen_ai_operation_name: 'chat', gen_ai_provider_name: 'openai' })).toBe(6);
    expect(delta('gen_ai_server_time_to_first_token_seconds_count', { gen_ai_request_model: 'gpt-4o-mini' })).toBe(1);
    // The fake upstream reports 12 prompt and 9 completion tokens for a whole completion.
    expect(delta('gen_ai_client_token_usage_sum', { gen_ai_request_model: 'gpt-4o-mini', gen_ai_token_type: 'input' })).toBeGreaterThanOrEqual(5 * 12);
    expect(delta('gen_ai_client_token_usage_count', { gen_ai_request_model: 'gpt-4o-mini', gen_ai_token_type: 'output' })).toBe(6);
    const decisions = delta('switchboard_router_decisions_total', { route: 'auto', decision: 'strong' }) + delta('switchboard_router_decisions_total', { route: 'auto', decision: 'weak' });
    expect(decisions).toBe(10);
    expect(delta('switchboard_cost_usd_total')).toBeGreaterThan(0);
    // Weak answers of the route saved against always-strong, and the baseline counts every routed request.
    expect(delta('switchboard_baseline_cost_usd_total', { route: 'auto' })).toBeGreaterThan(0);
    expect(delta('switchboard_gateway_overhead_seconds_count', { surface: 'chat-completions' })).toBe(15);
  });

  it('counts upstream attempts, retries and fallbacks', async () => {
    const before = await scrape(test.url);
    failNext = 2;
    await test.client.chat.completions.create({ model: 'flaky', messages: [{ role: 'user', content: 'retry me' }] });
    const after = await scrape(test.url);
    const delta = (name: string, labels: Record<string, string> = {}) => sumOf(after, name, labels) - sumOf(before, name, labels);
    expect(delta('switchboard_upstream_attempts_total', { model: 'flaky' })).toBe(2);
    expect(delta('switchboard_upstream_attempts_total', { model: 'gpt-4o-mini', result: 'success' })).toBe(1);
    expect(delta('switchboard_upstream_retries_total', { model: 'flaky' })).toBe(1);
    expect(delta('switchboard_upstream_fallbacks_total', { model: 'flaky' })).toBe(1);
  });

  it('keeps the series count flat when 1,000 distinct unknown model names are sent', async () => {
    const send = async (model: string) => {
      const response = await fetch(`${test.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(response.status).toBe(404);
    };
    for (let index = 0; index < 10; index++) await send(`warm-up-model-${index}`);
    const before = await scrape(test.url);
    for (let index = 0; index < 1000; index += 50) await Promise.all(Array.from({ length: 50 }, (_, offset) => send(`unknown-model-${index + offset}`)));
    const after = await scrape(test.url);

    const seriesOf = (samples: Sample[]) => samples.filter((sample) => sample.name.startsWith('switchboard_') || sample.name.startsWith('gen_ai_')).length;
    expect(seriesOf(after)).toBe(seriesOf(before));
    expect(sumOf(after, 'switchboard_requests_total', { model: 'other', status: '404' }) - sumOf(before, 'switchboard_requests_total', { model: 'other', status: '404' })).toBe(1000);
    expect(after.some((sample) => Object.values(sample.labels).some((value) => value.startsWith('unknown-model')))).toBe(false);
  }, 60_000);

  it('shows deployment state and budget remaining by key name, never key id', async () => {
    const key = await createKey(test.url, { name: 'metrics-budget-key', budget_usd: 5 });
    await clientFor(test.url, key.key).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'spend' }] });
    const samples = await scrape(test.url);
    const remaining = samples.find((sample) => sample.name === 'switchboard_budget_remaining_usd' && sample.labels.name === 'metrics-budget-key');
    expect(remaining?.labels).toEqual({ scope: 'key', name: 'metrics-budget-key', period: 'month' });
    expect(remaining!.value).toBeLessThan(5);
    expect(remaining!.value).toBeGreaterThan(4.9);
    expect(samples.some((sample) => Object.values(sample.labels).includes(key.id))).toBe(false);
    expect(sumOf(samples, 'switchboard_deployment_state', { deployment: 'gpt-4o#0', state: 'healthy' })).toBe(1);
    expect(sumOf(samples, 'switchboard_deployment_state', { deployment: 'gpt-4o#0', state: 'cooling_down' })).toBe(0);
  });

  it('counts events that are not on a record through the typed API', async () => {
    test.gateway.metrics!.shadowCompared({ route: 'auto', agreed: false });
    test.gateway.metrics!.shadowCompared({ route: 'no-such-route', agreed: true });
    test.gateway.metrics!.judgeVerdict({ route: 'auto', verdict: 'weak' });
    const samples = await scrape(test.url);
    expect(sumOf(samples, 'switchboard_shadow_comparisons_total', { route: 'auto', outcome: 'disagree' })).toBe(1);
    expect(sumOf(samples, 'switchboard_shadow_comparisons_total', { route: 'other', outcome: 'agree' })).toBe(1);
    expect(sumOf(samples, 'switchboard_judge_verdicts_total', { route: 'auto', verdict: 'weak' })).toBe(1);
  });

  it('needs the admin key: none is 401, a virtual key is 403', async () => {
    expect((await fetch(`${test.url}/metrics`)).status).toBe(401);
    const key = await createKey(test.url, { name: 'not-an-admin' });
    const refused = await fetch(`${test.url}/metrics`, { headers: { authorization: `Bearer ${key.key}` } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('admin_key_required');
  });

  it('keeps the process metrics endpoint /api/metrics', async () => {
    const response = await adminRequest<{ pid: number }>(test.url, 'GET', '/api/metrics');
    expect(response.status).toBe(200);
    expect(response.body.pid).toBe(process.pid);
  });
});

describe('metrics.enabled: false', () => {
  it('answers /metrics with 404 and records nothing', async () => {
    const upstream = await FakeUpstream.start(() => openAICompletion());
    const test = await startTestGateway({ metrics: { enabled: false }, models: [{ name: 'm', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'k' }] });
    try {
      await test.client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
      expect(test.gateway.metrics).toBeUndefined();
      expect((await fetch(`${test.url}/metrics`)).status).toBe(404);
    } finally {
      await test.close();
      await upstream.close();
    }
  });
});

