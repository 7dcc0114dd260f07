/**
 * What the young-generation collector keeps: each target runs under V8's `--trace-gc-nvp` at a
 * fixed rate (the soak's 500 req/s over 16 connections), and the scavenges of the measured
 * window are summed. A request's objects should die young; bytes promoted per request are what
 * the old generation, and so the major collector, is left to clear. This is how the promotion
 * fix in docs/performance.md was measured (and `bench:allocations -- --survivors` says where).
 *
 *   npm run bench:promotion                                   Switchboard and the bare undici proxy, realistic JSON and stream
 *   npm run bench:promotion -- --targets switchboard,baseline --baseline-ref 08999f1
 *   npm run bench:promotion -- --workload routed --modes json --seconds 40
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { semiSpaceFlags } from '../src/cli/heap-tuning.js';
import { findWrk, installWrk, runWrk } from './lib/load.js';
import { prepareBaseline } from './lib/baseline-build.js';
import { requestFor, startFakeUpstreamProcess, startTarget, type TargetName } from './lib/targets.js';
import { requestBody, type Workload } from './lib/workloads.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: 'switchboard,undici' },
    workload: { type: 'string', default: 'realistic' },
    modes: { type: 'string', default: 'json,stream' },
    seconds: { type: 'string', default: '20' },
    'warmup-seconds': { type: 'string', default: '8' },
    rate: { type: 'string', default: '500' },
    'baseline-ref': { type: 'string' },
    // What `switchboard serve` relaunches itself with, given directly so the traced process is the one started here.
    'node-flags': { type: 'string', default: semiSpaceFlags().join(' ') },
  },
});
const workload = values.workload as Workload;
if (workload !== 'routed' && workload !== 'realistic') throw new Error('--workload is routed or realistic');
const modes = values.modes!.split(',') as Array<'json' | 'stream'>;
if (modes.some((mode) => mode !== 'json' && mode !== 'stream')) throw new Error('--modes lists json and stream');
const say = (line: string) => process.stdout.write(`${line}\n`);
const baselineDirectory = values['baseline-ref'] ? prepareBaseline(values['baseline-ref'], say) : undefined;
const wrk = findWrk() ?? installWrk(say);
if (!wrk) throw new Error('wrk is needed (apt-get install wrk)');

interface Window {
  scavenges: number;
  markCompacts: number;
  allocated: number;
  survived: number;
  promoted: number;
  scavengePauseMs: number;
  longestScavengeMs: number;
}

const emptyWindow = (): Window => ({ scavenges: 0, markCompacts: 0, allocated: 0, survived: 0, promoted: 0, scavengePauseMs: 0, longestScavengeMs: 0 });

/**
 * Sums the `--trace-gc-nvp` lines of the busiest isolate (the main thread; the log writer and
 * loader threads have their own). Lines look like `[pid:0xISOLATE]  1234 ms: pause=1.2 … gc=s …`.
 */
function summarise(text: string): Window {
  const byIsolate = new Map<string, Window>();
  for (const line of text.split('\n')) {
    const isolate = /^\[\d+:(0x[0-9a-f]+)\]/.exec(line)?.[1];
    const kind = /\bgc=(\w+)/.exec(line)?.[1];
    if (!isolate || !kind) continue;
    const field = (name: string) => Number(new RegExp(`\\b${name}=([0-9.]+)`).exec(line)?.[1] ?? 0);
    const window = byIsolate.get(isolate) ?? emptyWindow();
    byIsolate.set(isolate, window);
    if (kind === 's') {
      window.scavenges++;
      window.allocated += field('allocated');
      window.survived += field('new_space_survived');
      window.promoted += field('promoted');
      window.scavengePauseMs += field('pause');
      window.longestScavengeMs = Math.max(window.longestScavengeMs, field('pause'));
    } else if (kind === 'mc') {
      window.markCompacts++;
    }
  }
  return [...byIsolate.values()].sort((a, b) => b.allocated - a.allocated)[0] ?? emptyWindow();
}

const fake = await startFakeUpstreamProcess();
const rows: string[] = [];
try {
  for (const name of values.targets!.split(',') as TargetName[]) {
    for (const mode of modes) {
      const directory = mkdtempSync(join(tmpdir(), 'switchboard-promotion-'));
      const tracePath = join(directory, 'gc.log');
      // The trace goes to the target's stdout: a wrapper adds the flag and sends it to a file.
      const wrapper = join(directory, 'trace.sh');
      writeFileSync(wrapper, `#!/bin/sh\nnode="$1"; shift\nexec "$node" --trace-gc-nvp "$@" > '${tracePath}' 2>&1\n`);
      chmodSync(wrapper, 0o755);
      const started = await startTarget(name, {
        fakePort: fake.port,
        workDirectory: directory,
        install: false,
        baselineDirectory,
        wrapper: [wrapper],
        switchboardNodeFlags: values['node-flags']!.split(' ').filter(Boolean),
        environment: { SWITCHBOARD_SEMI_SPACE_MB: 'off' },
      });
      if ('skipped' in started) {
        rows.push(`| ${name} | ${mode} | skipped: ${started.skipped} |`);
        rmSync(directory, { recursive: true, force: true });
        continue;
      }
      const { target } = started;
      const request = requestFor(target, workload);
      try {
        if (!request) {
          rows.push(`| ${name} | ${mode} | not run: no ${workload} workload |`);
          continue;
        }
        const spec = { url: request.url, headers: request.headers, body: requestBody(request.model, mode, workload), connections: 16, rate: Number(values.rate) };
        await runWrk(wrk, { ...spec, durationSeconds: Number(values['warmup-seconds']) }, directory);
        const from = statSync(tracePath).size;
        const result = await runWrk(wrk, { ...spec, durationSeconds: Number(values.seconds) }, directory);
        const window = summarise(readFileSync(tracePath, 'utf8').slice(from));
        const perRequest = (bytes: number) => Math.round(bytes / Math.max(1, result.requests)).toLocaleString('en-US');
        const survivedShare = window.allocated > 0 ? `${((window.survived / window.allocated) * 100).toFixed(1)}%` : '—';
        rows.push(
          `| ${name} | ${mode} | ${result.requests.toLocaleString('en-US')} | ${result.errors} | ${perRequest(window.allocated)} | ${survivedShare} | ${perRequest(window.promoted)} | ${window.scavenges} | ${window.scavengePauseMs.toFixed(0)} | ${window.longestScavengeMs.toFixed(1)} | ${window.markCompacts} |`,
        );
        say(rows.at(-1)!);
      } finally {
        await target.stop();
        rmSync(directory, { recursive: true, force: true });
      }
    }
  }
} finally {
  await fake.stop();
}
say(
  [
    '',
    '| target | mode | requests | errors | young bytes allocated/request | survived a scavenge | bytes promoted/request | scavenges | scavenge pauses, ms | longest, ms | mark-compacts |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows,
    '',
    `(${workload} workload, ${values.rate} req/s over 16 connections for ${values.seconds} s after ${values['warmup-seconds']} s of warm-up; the main thread's scavenges in that window, from --trace-gc-nvp.)`,
  ].join('\n'),
);
