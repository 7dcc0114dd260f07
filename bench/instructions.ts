/**
 * Instructions per request, counted by valgrind's callgrind: a figure of the request path's cost
 * that barely moves with whatever else the machine is doing (CPU µs from /proc doubles when
 * another job shares the two cores; instruction counts stay within about ±15%, the rest being
 * when V8 collects garbage). Used to compare changes to the hot path; `npm run bench`
 * remains the source of the published timings.
 *
 *   npm run bench:instructions                       Switchboard (both provider kinds) and the bare
 *                                                    undici proxy, on the realistic workload
 *   npm run bench:instructions -- --workload routed  the bench's routed workload (bench/lib/workloads.ts)
 *   npm run bench:instructions -- --targets switchboard,baseline --baseline-ref 08999f1   another build beside this one
 *   npm run bench:instructions -- --targets switchboard --requests 500
 *
 * The figure to compare is "without JIT compiling and GC": V8's optimising compiler still runs
 * during the counted window (valgrind slows everything 50×) and its share moves from run to run;
 * garbage collection follows what the heap holds when a collection falls in the window, and on
 * a loaded machine (longer windows) it moved by a third between runs of the same build.
 *
 * Each target runs under `valgrind --tool=callgrind --instr-atstart=no`, is warmed up with
 * uninstrumented requests, then counted over `--requests` JSON and streamed requests (all threads,
 * the request-log writer included). Kernel time (socket syscalls) is not counted. Set
 * KEEP_CALLGRIND=1 to keep the callgrind files for `callgrind_annotate`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { semiSpaceFlags } from '../src/cli/heap-tuning.js';
import { RequestDriver } from './lib/request-driver.js';
import { REPO_ROOT, requestFor, startFakeUpstreamProcess, startTarget, type TargetName } from './lib/targets.js';
import { requestBody, type Workload } from './lib/workloads.js';
import { prepareBaseline } from './lib/baseline-build.js';

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: 'switchboard,switchboard-openai,undici' },
    workload: { type: 'string', default: 'realistic' },
    'baseline-ref': { type: 'string' },
    // What `switchboard serve` relaunches itself with (src/cli/heap-tuning.ts), given directly so
    // the measured process is the one started here (valgrind and the sampler's signal reach it).
    'node-flags': { type: 'string', default: semiSpaceFlags().join(' ') },
    requests: { type: 'string', default: '400' },
    warmup: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '4' },
  },
});

if (spawnSync('valgrind', ['--version']).error) {
  process.stderr.write('valgrind is not installed (apt-get install valgrind)\n');
  process.exit(1);
}

const requests = Number(values.requests);
const workload = values.workload as Workload;
const baselineDirectory = values['baseline-ref'] ? prepareBaseline(values['baseline-ref'], (line) => process.stdout.write(`${line}\n`)) : undefined;
const switchboardNodeFlags = values['node-flags']!.split(' ').filter(Boolean);
if (workload !== 'routed' && workload !== 'realistic') throw new Error('--workload is routed or realistic');
const warmup = Number(values.warmup);
const concurrency = Number(values.concurrency);
const driver = new RequestDriver(concurrency);

function callgrindControl(pid: number, flag: string): void {
  execFileSync('callgrind_control', [flag, String(pid)], { stdio: 'ignore' });
}

interface Counted {
  total: number;
  /** Spent in V8's optimising compiler (TurboFan), which a long-running server amortises away. */
  compiler: number;
  /**
   * Spent collecting garbage (scavenges, marking, sweeping, the visitors they use). It follows
   * what the heap holds when a collection falls in the window, so it moves from run to run far
   * more than the rest; bytes allocated (bench:allocations) are the steady view of the same cost.
   */
  garbageCollection: number;
}

const GARBAGE_COLLECTION = /v8::internal::(Scavenger|Scavenge|Heap::|Heap\b|MarkCompact|MinorMark|Sweeper|Evacuat|ConcurrentMarking|IncrementalMarking|Marking|PretenuringHandler|MemoryAllocator|PagedSpace|SemiSpace|NewSpace|MemoryChunk|.*Visitor)|heap::base::|cppgc::/;

/** Instructions (Ir) of the dumps callgrind wrote since `before`, with the compiler's share. */
function dumpedInstructions(directory: string, pid: number, before: Set<string>): Counted {
  const counted = { total: 0, compiler: 0, garbageCollection: 0 };
  for (const file of readdirSync(directory)) {
    if (!file.startsWith(`callgrind.out.${pid}`) || before.has(file)) continue;
    const path = join(directory, file);
    // The header's `summary:` is 0 for dumps on demand; `totals:` closes the file.
    const match = /^totals:\s+(\d+)/m.exec(readFileSync(path, 'utf8'));
    if (match) counted.total += Number(match[1]);
    const annotated = spawnSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', path], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    for (const line of annotated.stdout.split('\n')) {
      const row = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
      if (!row) continue;
      if (row[2]!.includes('v8::internal::compiler::')) counted.compiler += Number(row[1]!.replaceAll(',', ''));
      else if (GARBAGE_COLLECTION.test(row[2]!)) counted.garbageCollection += Number(row[1]!.replaceAll(',', ''));
    }
  }
  return counted;
}

const fake = await startFakeUpstreamProcess();
const rows: string[] = [];
try {
  for (const name of values.targets!.split(',') as TargetName[]) {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-instructions-'));
    const started = await startTarget(name, {
      fakePort: fake.port,
      workDirectory: directory,
      install: false,
      baselineDirectory,
      switchboardNodeFlags,
      // Never relaunched (src/cli/heap-tuning.ts): valgrind follows the process it started.
      environment: { SWITCHBOARD_SEMI_SPACE_MB: 'off' },
      wrapper: ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${join(directory, 'callgrind.out.%p')}`],
    });
    if ('skipped' in started) {
      rows.push(`| ${name} | skipped: ${started.skipped} | | | | | | | |`);
      continue;
    }
    const { target } = started;
    const request = requestFor(target, workload);
    if (!request) {
      rows.push(`| ${name} | not run: no ${workload} workload | | | | | | | |`);
      await target.stop();
      continue;
    }
    try {
      const url = new URL(request.url);
      const counts: Counted[] = [];
      for (const mode of ['json', 'stream'] as const) {
        const body = requestBody(request.model, mode, workload);
        await driver.drive(url, request.headers, body, warmup);
        const before = new Set(readdirSync(directory));
        callgrindControl(target.pid!, '--instr=on');
        await driver.drive(url, request.headers, body, requests);
        callgrindControl(target.pid!, '--instr=off');
        callgrindControl(target.pid!, '--dump');
        await new Promise((done) => setTimeout(done, 500));
        counts.push(dumpedInstructions(directory, target.pid!, before));
      }
      const perRequest = (value: number) => `${Math.round(value / requests / 1000)}k`;
      rows.push(`| ${name} | ${counts.map((count) => `${perRequest(count.total - count.compiler - count.garbageCollection)} | ${perRequest(count.garbageCollection)} | ${perRequest(count.total - count.compiler)} | ${perRequest(count.total)}`).join(' | ')} |`);
      process.stdout.write(`${rows.at(-1)}\n`);
    } finally {
      await target.stop();
      if (!process.env.KEEP_CALLGRIND) rmSync(directory, { recursive: true, force: true });
    }
  }
} finally {
  await fake.stop();
  driver.close();
}
process.stdout.write(
  `\n| target | JSON: instructions/request, without JIT compiling and GC | JSON: GC | JSON: without JIT compiling | JSON: all | stream (20 chunks): without JIT compiling and GC | stream: GC | stream: without JIT compiling | stream: all |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|\n${rows.join('\n')}\n\n` +
    `(${workload} workload, ${requests} counted requests per mode after ${warmup} warm-up, concurrency ${concurrency}; ${resolve(REPO_ROOT)}. ` +
    'V8 still optimises code during the counted window under valgrind; "without JIT compiling" leaves out v8::internal::compiler, the steady-state cost. ' +
    'GC is what garbage collection took in the window: it moves with the heap\'s state from run to run, so compare the first column.)\n',
);
