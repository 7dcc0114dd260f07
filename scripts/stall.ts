/**
 * `npm run stall`: how long one large prompt holds the gateway's event loop (issue 12, finding
 * 10). Starts a `switchboard serve` process behind an admin key with a budgeted virtual key (so
 * admission counts the prompt's tokens for its reservation), polls `GET /health` every 5 ms, and
 * sends one chat request with a prompt of `--megabytes` MB. Prints the slowest /health answer
 * while the prompt was in flight, and the slowest before it (the baseline).
 *
 *   npm run stall                      a 15 MB prompt of English prose
 *   npm run stall -- --megabytes 5 --text unbroken
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServeProcess } from '../src/testing/cli-process.js';

const { values } = parseArgs({ options: { megabytes: { type: 'string', default: '15' }, text: { type: 'string', default: 'prose' } } });
const BYTES = Math.round(Number(values.megabytes) * 1024 * 1024);
const ADMIN_KEY = 'stall-admin-key-0123456789';

function prompt(): string {
  const sample = values.text === 'unbroken' ? 'a' : 'The quick brown fox jumps over the lazy dog, and then it rests a while. ';
  return sample.repeat(Math.ceil(BYTES / sample.length)).slice(0, BYTES);
}

/** Polls /health until stopped; returns the slowest answer in milliseconds. */
function pollHealth(url: string): { stop: () => Promise<number> } {
  let running = true;
  let slowest = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await fetch(`${url}/health`).then((response) => response.arrayBuffer());
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return slowest;
    },
  };
}

// A bare upstream that drains the body unparsed: it shares this process with the /health
// poller, and parsing 15 MB here would show up as the gateway's stall.
const completion = JSON.stringify({ id: 'chatcmpl-stall', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
const upstreamServer = createServer((request, response) => {
  request.on('data', () => {});
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(completion));
});
await new Promise<void>((resolve) => upstreamServer.listen(0, '127.0.0.1', resolve));
const upstream = { url: `http://127.0.0.1:${(upstreamServer.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => upstreamServer.close(() => resolve())) };
const directory = mkdtempSync(join(tmpdir(), 'switchboard-stall-'));
const configPath = join(directory, 'switchboard.yaml');
writeFileSync(configPath, JSON.stringify({
  server: { port: 0, max_body_bytes: BYTES + 1024 * 1024 },
  admin_key: ADMIN_KEY,
  storage: { url: `sqlite://${join(directory, 'switchboard.db')}` },
  logging: { level: 'error' },
  models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1` }],
}));
const gateway = await startServeProcess(configPath);
try {
  const created = await fetch(`${gateway.url}/api/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'stall', budget_usd: 1000 }),
  }).then((response) => response.json() as Promise<{ key: string }>);
  const small = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'warm up' }] });
  const send = (body: string) =>
    fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${created.key}`, 'content-type': 'application/json' }, body }).then(async (response) => {
      await response.arrayBuffer();
      return response.status;
    });
  // Warm up: the tokenizer loads on the first budgeted request.
  for (let round = 0; round < 3; round++) await send(small);
  const baseline = pollHealth(gateway.url);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const baselineMs = await baseline.stop();
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt() }] });
  const during = pollHealth(gateway.url);
  const started = performance.now();
  const status = await send(body);
  const requestMs = performance.now() - started;
  const duringMs = await during.stop();
  process.stdout.write(
    `| ${(BYTES / 1024 / 1024).toFixed(0)} MB ${values.text} prompt | status ${status} | request ${Math.round(requestMs)} ms | slowest /health while in flight ${Math.round(duringMs)} ms | slowest /health before ${Math.round(baselineMs)} ms |\n`,
  );
} finally {
  await gateway.stop();
  await upstream.close();
  rmSync(directory, { recursive: true, force: true });
}
