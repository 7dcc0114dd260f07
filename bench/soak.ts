/**
 * `npm run soak`: Switchboard (production build, request log on) under a fixed rate for
 * ten minutes, a quarter of the requests streamed. Every few seconds it reads RSS and the worst
 * event-loop delay since the last read from `GET /api/metrics`; at the end it stops the gateway
 * and counts the request-log rows against the requests wrk completed. Writes
 * bench/results/soak.md.
 *
 *   npm run soak [-- --minutes 10 --rate 500 --connections 16]
 *   npm run soak -- --node-flags="--max-semi-space-size=16"   other heap flags than serve's own
 *
 * RSS drift compares the median of the samples in the second tenth of the run (after warm-up)
 * with the median of the last tenth. Targets (issue #6): drift within ±10%, no stall over 50 ms.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { findWrk, installWrk, runNodeLoad, runWrk, type LoadResult } from './lib/load.js';
import { REPO_ROOT, startFakeUpstreamProcess, startTarget, type RunningTarget } from './lib/targets.js';
import { requestBody } from './run.js';

interface Sample {
  seconds: number;
  rssMegabytes: number;
  heapMegabytes: number;
  maxDelayMs: number;
  p99DelayMs: number;
  logPending: number;
  /** The machine's 1-minute load average: other processes' work shows up as loop delay too. */
  loadAverage: number;
}

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '500' },
    connections: { type: 'string', default: '16' },
    'sample-seconds': { type: 'string', default: '5' },
    out: { type: 'string' },
    'no-install': { type: 'boolean', default: false },
    // Given to Node for the gateway; a --min- or --max-semi-space-size here replaces serve's own.
    'node-flags': { type: 'string', default: '' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const connections = Number(values.connections);
const sampleSeconds = Number(values['sample-seconds']);
const outDirectory = resolve(values.out ?? join(REPO_ROOT, 'bench/results'));
const say = (line: string) => process.stdout.write(`${line}\n`);

const median = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
};

async function sample(target: RunningTarget, started: number): Promise<Sample | undefined> {
  try {
    const response = await fetch(target.url.replace('/v1/chat/completions', '/api/metrics?reset=1'));
    const metrics = (await response.json()) as { memory: { rss_bytes: number; heap_used_bytes: number }; event_loop_delay_ms: { max: number; p99: number }; log_pending: number };
    return {
      seconds: Math.round((Date.now() - started) / 1000),
      rssMegabytes: metrics.memory.rss_bytes / 2 ** 20,
      heapMegabytes: metrics.memory.heap_used_bytes / 2 ** 20,
      maxDelayMs: metrics.event_loop_delay_ms.max,
      p99DelayMs: metrics.event_loop_delay_ms.p99,
      logPending: metrics.log_pending,
      loadAverage: loadavg()[0]!,
    };
  } catch {
    return undefined;
  }
}

const workDirectory = mkdtempSync(join(tmpdir(), 'switchboard-soak-'));
const wrk = findWrk() ?? (values['no-install'] ? undefined : installWrk(say));
const fake = await startFakeUpstreamProcess();
const nodeFlags = values['node-flags']!.split(' ').filter(Boolean);
const started = await startTarget('switchboard', { fakePort: fake.port, workDirectory, install: false, switchboardNodeFlags: nodeFlags });
if ('skipped' in started) throw new Error(started.skipped);
const target = started.target;
const loadAverageBefore = loadavg()[0]!;
say(`soak: ${minutes} min at ${rate} req/s over ${connections} connections (a quarter streamed), sampling every ${sampleSeconds} s; generator ${wrk ? 'wrk' : 'node'}`);

const samples: Sample[] = [];
const startedAt = Date.now();
const spec = {
  url: target.url,
  headers: target.headers,
  body: requestBody(target.model, 'json'),
  everyFourthBody: requestBody(target.model, 'stream'),
  connections,
  durationSeconds: Math.round(minutes * 60),
  rate,
};
const load: Promise<LoadResult> = wrk ? runWrk(wrk, spec, workDirectory) : runNodeLoad(spec);
let done = false;
void load.finally(() => (done = true));
while (!done) {
  await new Promise((resolve) => setTimeout(resolve, sampleSeconds * 1000));
  if (done) break;
  const next = await sample(target, startedAt);
  if (next) {
    samples.push(next);
    if (samples.length % Math.max(1, Math.round(60 / sampleSeconds)) === 0) {
      say(`${String(next.seconds).padStart(5)} s  RSS ${next.rssMegabytes.toFixed(1)} MB  heap ${next.heapMegabytes.toFixed(1)} MB  max loop delay ${next.maxDelayMs.toFixed(1)} ms`);
    }
  }
}
const result = await load;
await target.stop();
await fake.stop();
const database = new Database(target.databasePath!, { readonly: true });
const logged = (database.prepare('SELECT COUNT(*) AS count FROM request_log').get() as { count: number }).count;
database.close();
rmSync(workDirectory, { recursive: true, force: true });

const tenth = Math.max(1, Math.floor(samples.length / 10));
const baseline = median(samples.slice(tenth, 2 * tenth).map((entry) => entry.rssMegabytes));
const final = median(samples.slice(-tenth).map((entry) => entry.rssMegabytes));
const drift = baseline ? ((final - baseline) / baseline) * 100 : Number.NaN;
const maxStall = Math.max(0, ...samples.map((entry) => entry.maxDelayMs));
const maxStallAfterFirstMinute = Math.max(0, ...samples.filter((entry) => entry.seconds > 60).map((entry) => entry.maxDelayMs));
const stallAt = samples.find((entry) => entry.maxDelayMs === maxStall)?.seconds;
const minuteRows = samples.filter((_, index) => (index + 1) % Math.max(1, Math.round(60 / sampleSeconds)) === 0);

const report = `# Soak: Switchboard at a fixed rate with the request log on

Run ${new Date(startedAt).toISOString()} on ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}; load average ${loadAverageBefore.toFixed(1)} at the start.

Command: \`npm run soak -- --minutes ${minutes} --rate ${rate} --connections ${connections}${nodeFlags.length ? ` --node-flags="${nodeFlags.join(' ')}"` : ''}\` (load generator: ${wrk ? 'wrk' : 'Node stand-in'}).

| figure | value | target |
|---|--:|---|
| duration | ${(result.durationSeconds / 60).toFixed(1)} min | 10 min |
| requests completed (a quarter streamed) | ${result.requests.toLocaleString('en-US')} (${result.requestsPerSecond.toFixed(0)} req/s) | ${rate} req/s |
| errors | ${result.errors} | 0 |
| latency p50 / p99 | ${result.p50Ms.toFixed(2)} / ${result.p99Ms.toFixed(2)} ms | |
| RSS, second tenth of the run (median) | ${baseline.toFixed(1)} MB | |
| RSS, last tenth of the run (median) | ${final.toFixed(1)} MB | |
| **RSS drift** | **${drift >= 0 ? '+' : ''}${drift.toFixed(1)}%** | within ±10%: ${Math.abs(drift) <= 10 ? 'met' : '**missed**'} |
| RSS min / max over the run | ${Math.min(...samples.map((entry) => entry.rssMegabytes)).toFixed(1)} / ${Math.max(...samples.map((entry) => entry.rssMegabytes)).toFixed(1)} MB | |
| **worst event-loop stall** | **${maxStall.toFixed(1)} ms** (at ${stallAt ?? '—'} s) | ≤ 50 ms: ${maxStall <= 50 ? 'met' : '**missed**'} |
| worst event-loop stall after the first minute | ${maxStallAfterFirstMinute.toFixed(1)} ms | |
| request-log rows after shutdown | ${logged.toLocaleString('en-US')} | ≥ requests completed (${logged >= result.requests ? 'met' : '**missed**'}) |

The stall is how late a 10 ms libuv timer fired (\`perf_hooks.monitorEventLoopDelay\` behind \`GET /api/metrics\`), read and reset every ${sampleSeconds} s. Log rows can exceed completed requests by the requests wrk had in flight when it stopped: the gateway finished and logged them.

## Per minute

| s | RSS MB | heap MB | worst loop delay in the last ${sampleSeconds} s, ms | log records pending | machine load (1 min) |
|--:|--:|--:|--:|--:|--:|
${minuteRows.map((entry) => `| ${entry.seconds} | ${entry.rssMegabytes.toFixed(1)} | ${entry.heapMegabytes.toFixed(1)} | ${entry.maxDelayMs.toFixed(1)} | ${entry.logPending} | ${entry.loadAverage.toFixed(1)} |`).join('\n')}

Worst stall sample: ${(() => {
  const worst = samples.find((entry) => entry.maxDelayMs === maxStall);
  return worst ? `${worst.maxDelayMs.toFixed(1)} ms at ${worst.seconds} s, RSS ${worst.rssMegabytes.toFixed(1)} MB, heap ${worst.heapMegabytes.toFixed(1)} MB, machine load ${worst.loadAverage.toFixed(1)}` : '—';
})()}.
`;
mkdirSync(outDirectory, { recursive: true });
writeFileSync(join(outDirectory, 'soak.md'), report);
say(`\nRSS drift ${drift.toFixed(1)}% (${baseline.toFixed(1)} → ${final.toFixed(1)} MB), worst stall ${maxStall.toFixed(1)} ms, ${result.requests} requests, ${result.errors} errors, ${logged} log rows.\nWrote ${join(outDirectory, 'soak.md')}`);
