/**
 * Savings by lever: a routed request saves against its route's strong model, a cache hit saves
 * what the answer first cost, a trimmed context saves its removed tokens. `/api/spend` and
 * `switchboard spend` split `saved_usd` into the three, and the parts add up to the total.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { ADMIN_KEY, adminRequest, clientFor } from '../testing/governance-test-helpers.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { parsePrometheusText, sumOf } from '../testing/prometheus-text.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';
import { runCliInProcess } from '../testing/in-process-cli.js';

let upstream: FakeUpstream;
let harness: TestGateway;

beforeAll(async () => {
  upstream = await FakeUpstream.start(() => openAICompletion({ content: 'Fine.', promptTokens: 100, completionTokens: 10 }));
  const model = (name: string, price: { input: number; output: number }) => ({ name, provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', price });
  harness = await startTestGateway({
    admin_key: ADMIN_KEY,
    cache: { enabled: true },
    models: [model('gpt-4o', { input: 2.5, output: 10 }), model('gpt-4o-mini', { input: 0.15, output: 0.6 })],
    routes: [{ name: 'cheap', strategy: 'fixed', model: 'gpt-4o-mini', strong: 'gpt-4o', context: { max_input_tokens: 100, policy: 'trim', keep_last_turns: 1 } }],
  });
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

describe('savings split by lever', () => {
  it('splits saved_usd into routing, cache and context, adding up to the total, in the API and the CLI', async () => {
    const client = clientFor(harness.url, ADMIN_KEY);
    const question = [{ role: 'user' as const, content: 'How are you?' }];
    await client.chat.completions.create({ model: 'cheap', messages: question });
    const hit = await client.chat.completions.create({ model: 'cheap', messages: question }).withResponse();
    expect(hit.response.headers.get('x-switchboard-cache')).toBe('HIT');
    const filler = 'the quick brown fox jumps over the lazy dog '.repeat(20);
    const trimmed = await client.chat.completions
      .create({ model: 'cheap', messages: [{ role: 'user', content: filler }, { role: 'assistant', content: 'Ok.' }, { role: 'user', content: 'And now?' }] })
      .withResponse();
    expect(trimmed.response.headers.get('x-switchboard-context')).toBe('trimmed');

    const spend = (await adminRequest(harness.url, 'GET', '/api/spend?group_by=route')).body;
    const { totals } = spend;
    const paid = (100 * 0.15 + 10 * 0.6) / 1e6;
    const strong = (100 * 2.5 + 10 * 10) / 1e6;
    // Two answers bought on the weak model, each saving the strong model's price of the same tokens.
    expect(totals.saved_by_lever.routing).toBeCloseTo(2 * (strong - paid), 12);
    // The hit saved what the first answer cost.
    expect(totals.saved_by_lever.cache).toBeCloseTo(paid, 12);
    const removed = Number(trimmed.response.headers.get('x-switchboard-context-removed-tokens'));
    expect(totals.saved_by_lever.context).toBeCloseTo((removed * 0.15) / 1e6, 12);
    expect(totals.saved_usd).toBeCloseTo(totals.saved_by_lever.routing + totals.saved_by_lever.cache + totals.saved_by_lever.context, 12);
    expect(totals.saved_usd).toBeCloseTo(totals.baseline_cost_usd - totals.cost_usd, 12);
    for (const row of spend.data) expect(row.saved_usd).toBeCloseTo(row.saved_by_lever.routing + row.saved_by_lever.cache + row.saved_by_lever.context, 12);

    // The dashboard's totals and the Prometheus counter split the same way.
    const series = (await adminRequest(harness.url, 'GET', `/api/timeseries?from=0&to=${Date.now() + 60_000}&buckets=1`)).body;
    for (const lever of ['routing', 'cache', 'context'] as const) expect(series.totals.saved_usd[lever]).toBeCloseTo(totals.saved_by_lever[lever], 12);
    const metrics = parsePrometheusText(await (await fetch(`${harness.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).text());
    for (const lever of ['routing', 'cache', 'context'] as const) expect(sumOf(metrics, 'switchboard_saved_usd_total', { lever })).toBeCloseTo(totals.saved_by_lever[lever], 12);

    const config = join(dirname(harness.databasePath), 'switchboard.yaml');
    writeFileSync(config, `storage:\n  url: sqlite://${harness.databasePath}\n`);
    const output = await runCliInProcess(['spend', '--group-by', 'route', '--config', config]);
    rmSync(config);
    const lines = output.trim().split('\n');
    expect(lines[0]).toMatch(/^route +requests +tokens +cost_usd +baseline_cost_usd +saved_usd +routing +cache +context$/);
    const total = lines.at(-1)!.split(/ +/);
    expect(total.slice(5).map((cell) => Number(cell.slice(1)))).toEqual(
      [totals.saved_usd, totals.saved_by_lever.routing, totals.saved_by_lever.cache, totals.saved_by_lever.context].map((value: number) => Number(value.toFixed(6))),
    );
  });
});

