/**
 * `npm run bench:durability`: what `storage.durability` costs and what it buys (issue 12,
 * finding 16). For each mode, a fresh `switchboard serve` on SQLite in front of a loopback fake:
 *
 * - throughput and client latency for `--requests` chat requests at `--concurrency`;
 * - a burst at the same concurrency killed with SIGKILL after `--kill-after` answers: how many
 *   answered requests have no row.
 *
 *   npm run bench:durability
 *   npm run bench:durability -- --requests 5000 --concurrency 64
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { FakeUpstream } from '../src/testing/fake-upstream.js';
import { healthy } from '../src/testing/faults.js';
import { startServeProcess } from '../src/testing/cli-process.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '3000' }, concurrency: { type: 'string', default: '32' }, 'kill-after': { type: 'string', default: '1000' } } });
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const KILL_AFTER = Number(values['kill-after']);
const BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

function chat(url: string, agent: Agent): Promise<string | undefined> {
  return new Promise((resolve) => {
    const outgoing = httpRequest(`${url}/v1/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk));
      response.on('end', () => resolve(response.statusCode === 200 && text.includes('"choices"') ? String(response.headers['x-request-id']) : undefined));
      response.on('error', () => resolve(undefined));
      response.on('aborted', () => resolve(undefined));
    });
    outgoing.on('error', () => resolve(undefined));
    outgoing.end(BODY);
  });
}

const percentile = (sorted: number[], share: number) => sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;

async function run(mode: 'batched' | 'strict', upstreamUrl: string): Promise<string> {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-durability-'));
  const databasePath = join(directory, 'switchboard.db');
  const configPath = join(directory, 'switchboard.yaml');
  writeFileSync(configPath, JSON.stringify({
    server: { port: 0 },
    storage: { url: `sqlite://${databasePath}`, durability: mode },
    logging: { level: 'error' },
    models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstreamUrl}/v1` }],
  }));
  try {
    // Throughput and latency.
    let gateway = await startServeProcess(configPath);
    let agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    for (let index = 0; index < 200; index++) await chat(gateway.url, agent);
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) {
        const begun = performance.now();
        await chat(gateway.url, agent);
        latencies.push(performance.now() - begun);
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    await gateway.stop();
    latencies.sort((a, b) => a - b);

    // Loss under SIGKILL.
    rmSync(databasePath, { force: true });
    gateway = await startServeProcess(configPath);
    agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const answered: string[] = [];
    let stop = false;
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      while (!stop) {
        const id = await chat(gateway.url, agent);
        if (id === undefined) return;
        answered.push(id);
      }
    });
    while (answered.length < KILL_AFTER) await new Promise((resolve) => setTimeout(resolve, 5));
    gateway.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await gateway.exited;
    agent.destroy();
    const database = new Database(databasePath, { readonly: true });
    const logged = new Set((database.prepare('SELECT id FROM request_log').all() as Array<{ id: string }>).map((row) => row.id));
    database.close();
    const lost = answered.filter((id) => !logged.has(id)).length;
    return `| ${mode} | ${Math.round(REQUESTS / seconds)} | ${percentile(latencies, 0.5).toFixed(1)} ms | ${percentile(latencies, 0.99).toFixed(1)} ms | ${lost} of ${answered.length} (${((100 * lost) / answered.length).toFixed(1)}%) |`;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const upstream = await FakeUpstream.start(healthy);
process.stdout.write(`${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}, Node ${process.version}; ${REQUESTS} requests at concurrency ${CONCURRENCY}, SIGKILL after ${KILL_AFTER} answers\n\n`);
process.stdout.write('| storage.durability | Requests/s | p50 | p99 | Answered requests without a row after SIGKILL |\n|---|---:|---:|---:|---:|\n');
try {
  for (const mode of ['batched', 'strict'] as const) process.stdout.write(`${await run(mode, upstream.url)}\n`);
} finally {
  await upstream.close();
}
