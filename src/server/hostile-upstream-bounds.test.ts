/**
 * Issue 12, findings 3 and 4: upstreams that try to exhaust the gateway's memory. Each runs
 * against a real `switchboard serve` process with its default limits and a 384 MB heap: the
 * request must fail cleanly (a 502, or an error event after what was streamed), the row must be
 * logged with what was streamed charged, and the process's peak RSS must stay bounded.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { startServeProcess, type CliProcess } from '../testing/cli-process.js';
import { endlessBody, endlessLine, endlessStream, hugeBody } from '../testing/hostile-upstreams.js';

/** Peak resident memory of the gateway process so far, in MB (Linux `VmHWM`). */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) / 1024;
}

/** Far under what the unbounded gateway reached (926 MB for a 200 MB body, GBs for the endless ones). */
const PEAK_RSS_BOUND_MB = 600;
const PRICE = { input: 1, output: 2 };

let upstream: FakeUpstream;
let gateway: CliProcess;
let directory: string;
let client: OpenAI;
let database: Database.Database;

beforeAll(async () => {
  upstream = await FakeUpstream.start(endlessStream);
  directory = mkdtempSync(join(tmpdir(), 'switchboard-hostile-'));
  const configPath = join(directory, 'switchboard.yaml');
  writeFileSync(configPath, JSON.stringify({
    server: { port: 0 },
    storage: { url: `sqlite://${join(directory, 'switchboard.db')}`, flush_interval_ms: 20 },
    logging: { level: 'error' },
    timeouts: { total_ms: 30_000 },
    models: [{ name: 'hostile', provider: 'openai-compatible', base_url: `${upstream.url}/v1`, model: 'gpt-4o-mini', price: PRICE }],
  }));
  gateway = await startServeProcess(configPath, { env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=384' } });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  database?.close();
  await gateway?.stop();
  await upstream.close();
  rmSync(directory, { recursive: true, force: true });
});

interface Row {
  status: number;
  error_code: string | null;
  completion_tokens: number;
  cost_usd: number;
  cost_estimated: number;
}

/** The newest request-log row, once the gateway has written it. */
async function lastRow(count: number): Promise<Row> {
  database ??= new Database(join(directory, 'switchboard.db'), { readonly: true });
  for (let tries = 0; tries < 200; tries++) {
    const rows = database.prepare('SELECT status, error_code, completion_tokens, cost_usd, cost_estimated FROM request_log ORDER BY rowid').all() as Row[];
    if (rows.length >= count) return rows[count - 1]!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no request-log row number ${count}`);
}

let rows = 0;

it('ends a stream that never ends with an error event, and charges what was streamed', async () => {
  upstream.setHandler(endlessStream);
  const stream = await client.chat.completions.create({ model: 'hostile', messages: [{ role: 'user', content: 'go' }], stream: true });
  let content = '';
  const failure = await (async () => {
    try {
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    } catch (error) {
      return error as APIError;
    }
  })();
  expect(failure?.message).toMatch(/larger than the gateway's limit of 67108864 bytes \(limits\.upstream_stream_bytes\)/);
  // 64 MB of frames, about a third of it content.
  expect(content.length).toBeGreaterThan(10 * 1024 * 1024);
  const row = await lastRow(++rows);
  expect(row).toMatchObject({ status: 502, error_code: 'stream_interrupted', cost_estimated: 1 });
  // "word " is one token (or 1.25 at the 4-characters estimate, before the tokenizer has
  // loaded): the charge follows the words streamed, not just the 64 Ki characters kept.
  const words = content.length / 5;
  expect(row.completion_tokens).toBeGreaterThan(words * 0.9);
  expect(row.completion_tokens).toBeLessThan(words * 1.3);
  expect(row.cost_usd).toBeCloseTo((row.completion_tokens * PRICE.output + 10 * PRICE.input) / 1e6, 2);
  expect(peakRssMb(gateway.child.pid!)).toBeLessThan(PEAK_RSS_BOUND_MB);
}, 60_000);

it('charges an endless stream the client aborts for what was streamed, with no 500', async () => {
  upstream.setHandler(endlessStream);
  const controller = new AbortController();
  const stream = await client.chat.completions.create({ model: 'hostile', messages: [{ role: 'user', content: 'go' }], stream: true }, { signal: controller.signal });
  let content = '';
  await (async () => {
    try {
      for await (const chunk of stream) {
        content += chunk.choices[0]?.delta.content ?? '';
        if (content.length > 4 * 1024 * 1024) controller.abort();
      }
    } catch {
      // the abort
    }
  })();
  const row = await lastRow(++rows);
  expect(row).toMatchObject({ status: 499, error_code: 'client_closed_request' });
  // At least what the client read; the gateway may have sent a little more before it noticed.
  expect(row.completion_tokens).toBeGreaterThan((content.length / 5) * 0.9);
  expect(row.cost_usd).toBeGreaterThan(0);
  expect(peakRssMb(gateway.child.pid!)).toBeLessThan(PEAK_RSS_BOUND_MB);
  // The process is still serving.
  expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
}, 60_000);

it('answers 502 to a JSON body that never ends', async () => {
  upstream.setHandler(endlessBody);
  const failure = await client.chat.completions.create({ model: 'hostile', messages: [{ role: 'user', content: 'go' }] }).catch((error: APIError) => error);
  expect(failure).toBeInstanceOf(APIError);
  expect((failure as APIError).status).toBe(502);
  expect((failure as APIError).code).toBe('upstream_response_too_large');
  expect(await lastRow(++rows)).toMatchObject({ status: 502, error_code: 'upstream_response_too_large' });
  expect(peakRssMb(gateway.child.pid!)).toBeLessThan(PEAK_RSS_BOUND_MB);
}, 60_000);

it('answers 502 to one SSE line that never ends, before the first byte', async () => {
  upstream.setHandler(endlessLine);
  const failure = await client.chat.completions.create({ model: 'hostile', messages: [{ role: 'user', content: 'go' }], stream: true }).catch((error: APIError) => error);
  expect((failure as APIError).status).toBe(502);
  expect((failure as APIError).message).toMatch(/one stream line or event larger than .* 4194304 bytes/);
  expect(await lastRow(++rows)).toMatchObject({ status: 502, error_code: 'upstream_response_too_large' });
  expect(peakRssMb(gateway.child.pid!)).toBeLessThan(PEAK_RSS_BOUND_MB);
}, 60_000);

it('answers 502 to a 200 MB JSON answer without holding it', async () => {
  upstream.setHandler(hugeBody(200));
  const failure = await client.chat.completions.create({ model: 'hostile', messages: [{ role: 'user', content: 'go' }] }).catch((error: APIError) => error);
  expect((failure as APIError).status).toBe(502);
  expect((failure as APIError).code).toBe('upstream_response_too_large');
  expect(await lastRow(++rows)).toMatchObject({ status: 502, error_code: 'upstream_response_too_large' });
  expect(peakRssMb(gateway.child.pid!)).toBeLessThan(PEAK_RSS_BOUND_MB);
}, 60_000);

it('still relays an embeddings answer larger than the chat body limit (limits.upstream_embeddings_body_bytes)', async () => {
  // 20 MB of floats: past the 16 MiB bound for chat bodies, as 2048 large embeddings would be.
  const vector = `[${Array.from({ length: 1_200_000 }, (_, index) => (index % 1000) / 1000 - 0.123456789).join(',')}]`;
  const raw = `{"object":"list","data":[{"object":"embedding","index":0,"embedding":${vector}}],"model":"text-embedding-3-large","usage":{"prompt_tokens":3,"total_tokens":3}}`;
  expect(raw.length).toBeGreaterThan(16 * 1024 * 1024);
  upstream.setHandler(() => ({ raw }));
  const response = await fetch(`${gateway.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'hostile', input: 'hi', encoding_format: 'float' }) });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: Array<{ embedding: number[] }> };
  expect(body.data[0]!.embedding).toHaveLength(1_200_000);
}, 60_000);
