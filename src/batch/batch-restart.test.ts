/**
 * A batch survives its gateway: the real `switchboard serve` process is killed (SIGKILL, no
 * shutdown) in the middle of a paced batch and started again on the same database. The new
 * process takes the batch up once the dead one's lease lapses; every line is answered exactly
 * once in the output, logged once, and its cost counted once, and no line answered before the
 * kill is sent upstream again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeCost } from '../cost/compute-cost.js';
import { startServeProcess, type CliProcess } from '../testing/cli-process.js';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { ADMIN_KEY, adminRequest, createKey } from '../testing/governance-test-helpers.js';
import { openAICompletion } from '../testing/openai-replies.js';

const LINES = 30;
const CONCURRENCY = 3;
const PRICE = { input: 0.18, output: 0.18 };

let upstream: FakeUpstream;
let directory: string;
let configPath: string;
const processes: CliProcess[] = [];

beforeAll(async () => {
  upstream = await FakeUpstream.start((request) => ({ ...openAICompletion({ promptTokens: 12, completionTokens: 20, content: `answer: ${request.body?.messages?.at(-1)?.content}` }), delayMs: 120 }));
  directory = mkdtempSync(join(tmpdir(), 'switchboard-batch-restart-'));
  configPath = join(directory, 'switchboard.yaml');
  writeFileSync(
    configPath,
    JSON.stringify({
      server: { port: 0, drain_idle_grace_ms: 0 },
      storage: { url: `sqlite://${join(directory, 'switchboard.db')}`, flush_interval_ms: 1000 },
      logging: { level: 'warn' },
      admin_key: ADMIN_KEY,
      batch: { concurrency: CONCURRENCY, rpm: 6000, lease_ms: 1500, scan_interval_ms: 200 },
      models: [{ name: 'llama', provider: 'openai-compatible', base_url: `${upstream.url}/v1`, api_key: 'sk-local', price: PRICE }],
    }),
  );
});

afterAll(async () => {
  for (const running of processes) running.child.kill('SIGKILL');
  await upstream?.close();
  rmSync(directory, { recursive: true, force: true });
});

async function serve(): Promise<CliProcess> {
  const started = await startServeProcess(configPath);
  processes.push(started);
  return started;
}

describe('a batch across a killed gateway', () => {
  it('answers every line exactly once and counts its cost once after a SIGKILL and a restart', async () => {
    const first = await serve();
    const { id: keyId, key } = await createKey(first.url, { name: 'nightly', budget_usd: 5, budget_period: 'month' });
    const client = new OpenAI({ baseURL: `${first.url}/v1`, apiKey: key, maxRetries: 0 });
    const content = Array.from({ length: LINES }, (_, index) =>
      JSON.stringify({ custom_id: `line-${index + 1}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'llama', max_tokens: 20, messages: [{ role: 'user', content: `Question ${index + 1}` }] } }),
    ).join('\n');
    const file = await client.files.create({ file: await toFile(Buffer.from(content), 'nightly.jsonl'), purpose: 'batch' });
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });

    let completedBeforeKill = 0;
    while (completedBeforeKill < 8) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      completedBeforeKill = (await client.batches.retrieve(created.id)).request_counts!.completed;
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const sentBeforeRestart = upstream.requests.length;
    expect(completedBeforeKill).toBeLessThan(LINES);

    const second = await serve();
    const resumed = new OpenAI({ baseURL: `${second.url}/v1`, apiKey: key, maxRetries: 0 });
    let batch = await resumed.batches.retrieve(created.id);
    const deadline = Date.now() + 30_000;
    while (batch.status !== 'completed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      batch = await resumed.batches.retrieve(created.id);
    }
    expect(batch.status).toBe('completed');
    expect(batch.request_counts).toEqual({ total: LINES, completed: LINES, failed: 0 });
    expect(batch.error_file_id).toBeNull();

    const output = (await (await resumed.files.content(batch.output_file_id!)).text()).split('\n').filter(Boolean).map((line) => JSON.parse(line));
    expect(output.map((line) => line.custom_id)).toEqual(Array.from({ length: LINES }, (_, index) => `line-${index + 1}`));
    for (const [index, line] of output.entries()) expect(line.response.body.choices[0].message.content).toBe(`answer: Question ${index + 1}`);

    // Sent again after the restart: only the lines without an answer at the kill (at most those in flight then were sent twice).
    const sentAfterRestart = upstream.requests.length - sentBeforeRestart;
    expect(sentAfterRestart).toBeLessThanOrEqual(LINES - completedBeforeKill);
    expect(upstream.requests.length).toBeLessThanOrEqual(LINES + CONCURRENCY);
    const sends = new Map<string, number>();
    for (const request of upstream.requests) sends.set(request.body.messages[0].content, (sends.get(request.body.messages[0].content) ?? 0) + 1);
    expect(sends.size).toBe(LINES);

    // Logged once per line, and counted once.
    const lineCost = computeCost({ promptTokens: 12, completionTokens: 20, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, PRICE);
    const requests = await adminRequest(second.url, 'GET', '/api/requests?limit=1000');
    const rows = (requests.body.data as Array<{ batch_id: string | null; cost_usd: number }>).filter((row) => row.batch_id === created.id);
    expect(rows).toHaveLength(LINES);
    const spend = await adminRequest(second.url, 'GET', '/api/spend?group_by=key');
    const keyRow = spend.body.data.find((row: { group: string }) => row.group === keyId);
    expect(keyRow.requests).toBe(LINES);
    expect(keyRow.cost_usd).toBeCloseTo(LINES * lineCost, 12);
    expect(keyRow.batch_cost_usd).toBeCloseTo(LINES * lineCost, 12);

    expect(await second.stop()).toBe(0);
  }, 90_000);
});
