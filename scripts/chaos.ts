/**
 * `npm run chaos`: fault injection against the real gateway process. For each fault (500s, 429
 * with Retry-After, hang, resets before and during a stream, malformed JSON and SSE) it starts a
 * faulty and a healthy fake upstream on loopback, a fresh `switchboard serve` in front of both
 * (one model, two deployments), sends a bounded number of requests, and prints a Markdown table:
 * success rate, p50/p99 latency added over a no-fault baseline, and the share of requests the
 * faulty deployment received. The table is also written to docs/chaos-results.md.
 *
 * A second table drives the hostile upstreams (issue 12): an endless stream without usage, an
 * endless JSON body, one endless SSE line and a 200 MB JSON body, each against a fresh gateway
 * with default limits, and reports what the client got, the logged row, and the gateway
 * process's peak RSS (Linux VmHWM).
 *
 *   npm run chaos                                  300 requests per fault at concurrency 16
 *   npm run chaos -- --requests 100 --concurrency 8
 *   npm run chaos -- --only hostile                the hostile-upstream table alone
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { HOSTILE_UPSTREAMS, type HostileUpstream } from '../src/testing/hostile-upstreams.js';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeUpstream, type FakeHandler } from '../src/testing/fake-upstream.js';
import { FAULTS, healthy } from '../src/testing/faults.js';
import { startServeProcess } from '../src/testing/cli-process.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '16' },
    out: { type: 'string', default: 'docs/chaos-results.md' },
    only: { type: 'string' },
  },
});
const REQUESTS = Math.min(5000, Math.max(1, Number(values.requests)));
const CONCURRENCY = Math.min(256, Math.max(1, Number(values.concurrency)));
const WARMUP_ROUNDS = 5;

/** The reliability settings under test: production defaults, except shorter timeouts and cooldown so a run takes a minute. */
const RELIABILITY = {
  timeouts: { connect_ms: 1000, first_token_ms: 1000, total_ms: 10_000 },
  retry: { attempts: 3, backoff_ms: 50, max_backoff_ms: 1000 },
  cooldown: { failures: 3, window_ms: 10_000, cooldown_ms: 2_000 },
};

interface Scenario {
  name: string;
  stream: boolean;
  handler: FakeHandler;
}

interface Measured {
  name: string;
  stream: boolean;
  succeeded: number;
  latencies: number[];
  faultyRequests: number;
}

async function measure(scenario: Scenario): Promise<Measured> {
  const faulty = await FakeUpstream.start(scenario.handler);
  const good = await FakeUpstream.start(healthy);
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-chaos-'));
  const configPath = join(directory, 'switchboard.yaml');
  writeFileSync(configPath, JSON.stringify({
    server: { port: 0 },
    storage: { url: `sqlite://${join(directory, 'switchboard.db')}` },
    logging: { level: 'error' },
    models: [{
      name: 'chaos-model',
      deployments: [
        { provider: 'openai-compatible', base_url: `${faulty.url}/v1`, model: 'gpt-4o-mini' },
        { provider: 'openai-compatible', base_url: `${good.url}/v1`, model: 'gpt-4o-mini' },
      ],
      price: { input: 0.15, output: 0.6 },
    }, {
      // Warms the process (lazy imports, JIT, connection pools) without touching the faulty deployment.
      name: 'warmup',
      provider: 'openai-compatible',
      base_url: `${good.url}/v1`,
      model: 'gpt-4o-mini',
      price: { input: 0.15, output: 0.6 },
    }],
    ...RELIABILITY,
  }));
  const gateway = await startServeProcess(configPath);
  try {
    const body = JSON.stringify({ model: 'chaos-model', messages: [{ role: 'user', content: 'Hi' }], stream: scenario.stream });
    const warmup = JSON.stringify({ model: 'warmup', messages: [{ role: 'user', content: 'Hi' }], stream: scenario.stream });
    for (let round = 0; round < WARMUP_ROUNDS; round++) {
      await Promise.all(Array.from({ length: CONCURRENCY }, () => send(`${gateway.url}/v1/chat/completions`, warmup, scenario.stream)));
    }
    const latencies: number[] = [];
    let succeeded = 0;
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        const started = performance.now();
        const ok = await send(`${gateway.url}/v1/chat/completions`, body, scenario.stream);
        latencies.push(performance.now() - started);
        if (ok) succeeded++;
      }
    }));
    return { name: scenario.name, stream: scenario.stream, succeeded, latencies, faultyRequests: faulty.requests.length };
  } finally {
    await gateway.stop();
    await faulty.close();
    await good.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** One request; true when it got a complete answer (for streams: `[DONE]` and no error event). */
async function send(url: string, body: string, stream: boolean): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    if (response.status !== 200) return false;
    if (!stream) return (JSON.parse(text) as { choices?: unknown[] }).choices?.length === 1;
    return text.includes('data: [DONE]') && !text.includes('"error"');
  } catch {
    return false;
  }
}

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
}

const signed = (ms: number) => `${ms >= 0 ? '+' : '−'}${Math.abs(Math.round(ms))} ms`;

function table(results: Measured[], baselines: Map<boolean, Measured>): string {
  const lines = [
    '| Fault on one of two deployments | Requests | Success rate | Added p50 | Added p99 | Faulty deployment got |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const result of results) {
    const baseline = baselines.get(result.stream)!;
    const isBaseline = result === baseline;
    lines.push([
      '',
      `${result.name}${result.stream ? ' (stream)' : ''}`,
      String(result.latencies.length),
      `${((100 * result.succeeded) / result.latencies.length).toFixed(1)}%`,
      isBaseline ? `${Math.round(percentile(result.latencies, 0.5))} ms (baseline)` : signed(percentile(result.latencies, 0.5) - percentile(baseline.latencies, 0.5)),
      isBaseline ? `${Math.round(percentile(result.latencies, 0.99))} ms (baseline)` : signed(percentile(result.latencies, 0.99) - percentile(baseline.latencies, 0.99)),
      `${result.faultyRequests} (${((100 * result.faultyRequests) / result.latencies.length).toFixed(1)}%)`,
      '',
    ].join(' | ').trim());
  }
  return lines.join('\n');
}

/** Peak resident memory of a process so far, in MB (Linux `VmHWM`). */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

interface HostileResult {
  name: string;
  client: string;
  row: string;
  seconds: number;
  peakRssMb: number;
  baselineRssMb: number;
}

/** One hostile upstream against a fresh gateway with default limits: three requests in a row. */
async function measureHostile(hostile: HostileUpstream): Promise<HostileResult> {
  const upstream = await FakeUpstream.start(hostile.handler);
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-chaos-'));
  const configPath = join(directory, 'switchboard.yaml');
  const databasePath = join(directory, 'switchboard.db');
  writeFileSync(configPath, JSON.stringify({
    server: { port: 0 },
    storage: { url: `sqlite://${databasePath}`, flush_interval_ms: 20 },
    logging: { level: 'error' },
    timeouts: { total_ms: 60_000 },
    models: [{ name: 'hostile', provider: 'openai-compatible', base_url: `${upstream.url}/v1`, model: 'gpt-4o-mini', price: { input: 0.15, output: 0.6 } }],
  }));
  const gateway = await startServeProcess(configPath);
  try {
    const pid = gateway.child.pid!;
    const baselineRssMb = peakRssMb(pid);
    const body = JSON.stringify({ model: 'hostile', messages: [{ role: 'user', content: 'Hi' }], stream: hostile.stream });
    let client = '';
    const started = performance.now();
    for (let round = 0; round < 3; round++) {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(120_000) });
      const text = await response.text();
      const code = /"code":\s*"([^"]+)"/.exec(text.slice(-2000))?.[1] ?? 'none';
      client = response.status === 200 ? `200, then an error event (${code}) after ${(text.length / 1024 / 1024).toFixed(0)} MB` : `${response.status} ${code}`;
    }
    const seconds = (performance.now() - started) / 1000 / 3;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const database = new Database(databasePath, { readonly: true });
    const last = database.prepare('SELECT status, error_code, completion_tokens, cost_usd FROM request_log ORDER BY rowid DESC LIMIT 1').get() as { status: number; error_code: string; completion_tokens: number; cost_usd: number } | undefined;
    database.close();
    const row = last ? `${last.status} ${last.error_code}, ${last.completion_tokens} completion tokens, $${last.cost_usd.toFixed(4)}` : 'no row';
    return { name: hostile.name, client, row, seconds, peakRssMb: peakRssMb(pid), baselineRssMb };
  } finally {
    await gateway.stop();
    await upstream.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

function hostileTable(results: HostileResult[]): string {
  const lines = [
    '| Hostile upstream (3 requests each) | Client got | Logged row (last request) | Seconds per request | Gateway peak RSS |',
    '|---|---|---|---:|---:|',
  ];
  for (const result of results) {
    lines.push(`| ${result.name} | ${result.client} | ${result.row} | ${result.seconds.toFixed(1)} | ${Math.round(result.peakRssMb)} MB (${Math.round(result.baselineRssMb)} MB at start) |`);
  }
  return lines.join('\n');
}

const scenarios: Scenario[] = [
  { name: 'none (baseline)', stream: false, handler: healthy },
  { name: 'none (baseline)', stream: true, handler: healthy },
  ...FAULTS.map((fault) => ({ name: fault.name, stream: fault.stream, handler: fault.handler })),
];

const loadAtStart = loadavg()[0]!.toFixed(1);
const results: Measured[] = [];
const hostileResults: HostileResult[] = [];
for (const hostile of HOSTILE_UPSTREAMS) {
  process.stderr.write(`chaos: hostile upstream: ${hostile.name}…\n`);
  hostileResults.push(await measureHostile(hostile));
}
const hostileMarkdown = hostileTable(hostileResults);
process.stdout.write(`${hostileMarkdown}\n\n`);
for (const scenario of values.only === 'hostile' ? [] : scenarios) {
  process.stderr.write(`chaos: ${scenario.name}${scenario.stream ? ' (stream)' : ''}: ${REQUESTS} requests at concurrency ${CONCURRENCY}…\n`);
  results.push(await measure(scenario));
}
if (values.only === 'hostile') {
  process.stderr.write('chaos: --only hostile: docs not rewritten\n');
  process.exit(0);
}
const baselines = new Map<boolean, Measured>([
  [false, results.find((result) => result.name.startsWith('none') && !result.stream)!],
  [true, results.find((result) => result.name.startsWith('none') && result.stream)!],
]);
const markdown = table(results, baselines);
process.stdout.write(`${markdown}\n`);

const settings = `timeouts ${JSON.stringify(RELIABILITY.timeouts)}, retry ${JSON.stringify(RELIABILITY.retry)}, cooldown ${JSON.stringify(RELIABILITY.cooldown)}`;
writeFileSync(values.out!, `# Chaos results

Last run of \`npm run chaos\` (${new Date().toISOString().slice(0, 10)}; ${cpus().length} cores, load average ${loadAtStart} at start, Node ${process.version}). Each row: a fresh gateway process in front of one model with two
deployments on loopback fakes, one healthy and one with the fault; ${REQUESTS} requests at concurrency ${CONCURRENCY}.
Latency is measured at the client, to the last byte; "added" is against the no-fault baseline of the same kind (JSON or stream).
"Faulty deployment got" counts the requests that reached the faulty upstream; cooldown is what keeps it small.

Settings: ${settings}.

${markdown}

A stream cut after its first byte reached the client cannot be failed over: the client gets an OpenAI-style error event, and the
request is logged as \`stream_interrupted\`. Every other fault is absorbed. See [reliability.md](reliability.md).

## Hostile upstreams

Each row: a fresh gateway process with the default \`limits:\` in front of one upstream that tries to exhaust its memory, three
requests one after another. Before these limits the endless stream grew the heap ~50 MB/s until the process died, the endless
body and line reached 3 GB in seconds, and the 200 MB body peaked at 926 MB (issue 12). See [security.md](security.md).

${hostileMarkdown}
`);
process.stderr.write(`chaos: wrote ${values.out}\n`);
