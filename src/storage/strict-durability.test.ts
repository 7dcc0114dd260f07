/**
 * Issue 12, finding 16: with `storage.durability: strict`, a gateway killed with SIGKILL in the
 * middle of a burst has a row for every request it answered. (With the default batched writes
 * it loses up to `flush_interval_ms` of rows; docs/security.md, `npm run bench:durability`.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { healthy } from '../testing/faults.js';
import { startServeProcess } from '../testing/cli-process.js';
import { startTestGateway } from '../testing/test-gateway.js';

const directory = mkdtempSync(join(tmpdir(), 'switchboard-strict-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** One chat request; resolves with its id once the whole answer arrived, undefined if it did not. */
function chat(url: string, agent: Agent): Promise<string | undefined> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const outgoing = httpRequest(`${url}/v1/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk));
      response.on('end', () => resolve(response.statusCode === 200 && text.includes('"choices"') ? String(response.headers['x-request-id']) : undefined));
      response.on('error', () => resolve(undefined));
      response.on('aborted', () => resolve(undefined));
    });
    outgoing.on('error', () => resolve(undefined));
    outgoing.end(body);
  });
}

it('keeps a row for every answered request when the process is killed mid-burst', async () => {
  const upstream = await FakeUpstream.start(healthy);
  const databasePath = join(directory, 'strict.db');
  const configPath = join(directory, 'switchboard.yaml');
  // A flush interval no burst outlives: only strict writes can have stored these rows.
  writeFileSync(configPath, JSON.stringify({
    server: { port: 0 },
    storage: { url: `sqlite://${databasePath}`, durability: 'strict', flush_interval_ms: 600_000 },
    logging: { level: 'error' },
    models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1` }],
  }));
  const gateway = await startServeProcess(configPath);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const answered: string[] = [];
  let stop = false;
  try {
    const workers = Array.from({ length: 16 }, async () => {
      while (!stop) {
        const id = await chat(gateway.url, agent);
        if (id === undefined) return;
        answered.push(id);
      }
    });
    while (answered.length < 200) await new Promise((resolve) => setTimeout(resolve, 10));
    gateway.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await gateway.exited;
  } finally {
    agent.destroy();
    await upstream.close();
  }
  const database = new Database(databasePath, { readonly: true });
  try {
    const logged = new Set((database.prepare('SELECT id FROM request_log').all() as Array<{ id: string }>).map((row) => row.id));
    const lost = answered.filter((id) => !logged.has(id));
    expect(answered.length).toBeGreaterThanOrEqual(200);
    expect(lost).toEqual([]);
  } finally {
    database.close();
  }
}, 60_000);

it('has the row committed by the time a JSON answer or a stream has arrived', async () => {
  const upstream = await FakeUpstream.start(healthy);
  const databaseDirectory = mkdtempSync(join(tmpdir(), 'switchboard-strict-inproc-'));
  const gateway = await startTestGateway(
    {
      storage: { url: `sqlite://${join(databaseDirectory, 'log.db')}`, durability: 'strict', flush_interval_ms: 600_000 },
      models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1` }],
    },
    { directory: databaseDirectory },
  );
  const database = new Database(join(databaseDirectory, 'log.db'), { readonly: true });
  try {
    const count = () => (database.prepare('SELECT COUNT(*) AS count FROM request_log').get() as { count: number }).count;
    await gateway.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(count()).toBe(1);
    const stream = await gateway.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(content).toBe('Hello there!');
    expect(count()).toBe(2);
  } finally {
    database.close();
    await gateway.close();
    await upstream.close();
    rmSync(databaseDirectory, { recursive: true, force: true });
  }
});
