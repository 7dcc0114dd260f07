/**
 * `npm run chaos`: fault injection against the real gateway process. For each fault (500s, 429
 * with Retry-After, hang, resets before and during a stream, malformed JSON and SSE) it starts a
 * faulty and a healthy fake upstream on loopback, a fresh `switchboard serve` in front of both
 * (one model, two deployments), sends a bounded number of requests, and prints a Markdown table:
 * success rate, p50/p99 latency added over a no-fault baseline, and the share of requests the
 * faulty deployment received. The table is also written to docs/chaos-results.md.
 *
 *   npm run chaos                                  300 requests per fault at concurrency 16
 *   npm run chaos -- --requests 100 --concurrency 8
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

const scenarios: Scenario[] = [
  { name: 'none (baseline)', stream: false, handler: healthy },
  { name: 'none (baseline)', stream: true, handler: healthy },
  ...FAULTS.map((fault) => ({ name: fault.name, stream: fault.stream, handler: fault.handler })),
];

const loadAtStart = loadavg()[0]!.toFixed(1);
const results: Measured[] = [];
for (const scenario of scenarios) {
  process.stderr.write(`chaos: ${scenario.name}${scenario.stream ? ' (stream)' : ''}: ${REQUESTS} requests at concurrency ${CONCURRENCY}…\n`);
  results.push(await measure(scenario));
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
`);
process.stderr.write(`chaos: wrote ${values.out}\n`);
