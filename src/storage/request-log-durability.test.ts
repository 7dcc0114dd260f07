import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { getJson } from '../testing/http.js';
import { startTestGateway } from '../testing/test-gateway.js';

let upstream: FakeUpstream;
let directory: string;

beforeAll(async () => {
  upstream = await FakeUpstream.start(() => openAICompletion({ promptTokens: 100, completionTokens: 50 }));
  directory = mkdtempSync(join(tmpdir(), 'switchboard-durability-'));
});

afterAll(async () => {
  await upstream.close();
  rmSync(directory, { recursive: true, force: true });
});

const config = () => ({
  models: [
    { name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1` },
    { name: 'gpt-4o', provider: 'openai', base_url: `${upstream.url}/v1` },
  ],
  // A long flush interval: only the shutdown flush can have written these records.
  storage: { url: `sqlite://${join(directory, 'log.db')}`, flush_interval_ms: 60_000 },
});

it('keeps spend totals across a restart, grouped by model, provider and day', async () => {
  const first = await startTestGateway(config(), { directory });
  await Promise.all([
    ...Array.from({ length: 7 }, () => first.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })),
    ...Array.from({ length: 3 }, () => first.client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })),
  ]);
  await first.client.chat.completions.create({ model: 'missing', messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined);
  await first.close();

  const second = await startTestGateway(config(), { directory });
  try {
    const byModel = await getJson(`${second.url}/api/spend?group_by=model`);
    const rows = Object.fromEntries(byModel.data.map((row: { group: string | null }) => [row.group ?? 'none', row]));
    expect(rows['gpt-4o-mini']).toMatchObject({ requests: 7, prompt_tokens: 700, completion_tokens: 350, total_tokens: 1050 });
    expect(rows['gpt-4o-mini'].cost_usd).toBeCloseTo(7 * (100 * 0.15 + 50 * 0.6) / 1e6, 12);
    expect(rows['gpt-4o']).toMatchObject({ requests: 3 });
    expect(rows['gpt-4o'].cost_usd).toBeCloseTo(3 * (100 * 2.5 + 50 * 10) / 1e6, 12);
    expect(byModel.totals.requests).toBe(11);
    expect(byModel.totals.errors).toBe(1);

    const byProvider = await getJson(`${second.url}/api/spend?group_by=provider`);
    expect(byProvider.data.find((row: { group: string }) => row.group === 'openai').requests).toBe(10);
    const byDay = await getJson(`${second.url}/api/spend?group_by=day`);
    expect(byDay.data[0].group).toBe(new Date().toISOString().slice(0, 10));

    const bad = await fetch(`${second.url}/api/spend?group_by=colour`);
    expect(bad.status).toBe(400);
    expect((await bad.json() as any).error.param).toBe('group_by');
  } finally {
    await second.close();
  }
});
