/**
 * Bytes allocated per request on the main thread, and where, from V8's sampling heap profiler
 * (freed objects included). What a request allocates is what the garbage collector has to
 * clear again, on the main thread and on V8's helper threads, so this is the view that
 * explains CPU the instruction count does not.
 *
 *   npm run bench:allocations                          Switchboard (both provider kinds) and the bare
 *                                                      undici proxy, realistic workload
 *   npm run bench:allocations -- --workload routed     the bench's routed workload
 *   npm run bench:allocations -- --targets switchboard --mode stream --top 40
 *   npm run bench:allocations -- --survivors           only what outlived a young-generation
 *                                                      collection: what gets promoted and makes
 *                                                      the major collector run
 *
 * Each target is warmed up, then sampled over `--requests` requests (1 KB sampling interval:
 * the figures are estimates, within a few percent at 10,000 requests).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { semiSpaceFlags } from '../src/cli/heap-tuning.js';
import { RequestDriver } from './lib/request-driver.js';
import { REPO_ROOT, requestFor, startFakeUpstreamProcess, startTarget, type TargetName } from './lib/targets.js';
import { requestBody, type Workload } from './lib/workloads.js';
import { prepareBaseline } from './lib/baseline-build.js';
import { areaOf, label } from './profile-summary.js';

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

const { values } = parseArgs({
  options: {
    targets: { type: 'string', default: 'switchboard,switchboard-openai,undici' },
    workload: { type: 'string', default: 'realistic' },
    'baseline-ref': { type: 'string' },
    // What `switchboard serve` relaunches itself with (src/cli/heap-tuning.ts), given directly so
    // the measured process is the one started here (valgrind and the sampler's signal reach it).
    'node-flags': { type: 'string', default: semiSpaceFlags().join(' ') },
    mode: { type: 'string', default: 'json' },
    requests: { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '5000' },
    top: { type: 'string', default: '25' },
    survivors: { type: 'boolean', default: false },
  },
});
const mode = values.mode as 'json' | 'stream';
if (mode !== 'json' && mode !== 'stream') throw new Error('--mode is json or stream');
const requests = Number(values.requests);
const workload = values.workload as Workload;
const baselineDirectory = values['baseline-ref'] ? prepareBaseline(values['baseline-ref'], (line) => process.stdout.write(`${line}\n`)) : undefined;
const switchboardNodeFlags = values['node-flags']!.split(' ').filter(Boolean);
if (workload !== 'routed' && workload !== 'realistic') throw new Error('--workload is routed or realistic');

/** Self bytes per function and per area, over every node of the sampled call tree. */
function tally(root: SamplingNode): { total: number; byFunction: Map<string, number>; byArea: Map<string, number> } {
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  const pending = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    pending.push(...node.children);
    if (node.selfSize === 0) continue;
    total += node.selfSize;
    const name = label(node.callFrame);
    byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
    const area = areaOf(node.callFrame);
    byArea.set(area, (byArea.get(area) ?? 0) + node.selfSize);
  }
  return { total, byFunction, byArea };
}

function rows(map: Map<string, number>, total: number, count: number): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => `| ${name} | ${Math.round(bytes / requests).toLocaleString('en-US')} | ${((bytes / total) * 100).toFixed(1)}% |`);
}

/** The sampler publishes its files by renaming them into place, so one that exists is whole. */
async function waitFor(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`the allocation sampler did not write ${path}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

const fake = await startFakeUpstreamProcess();
const driver = new RequestDriver(16);
const summary: string[] = [];
try {
  for (const name of values.targets!.split(',') as TargetName[]) {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-allocations-'));
    const profilePath = join(directory, 'allocations.heapprofile');
    const started = await startTarget(name, {
      fakePort: fake.port,
      workDirectory: directory,
      install: false,
      baselineDirectory,
      switchboardNodeFlags,
      environment: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${join(REPO_ROOT, 'bench/lib/allocation-sampler.mjs')}`.trim(), SWITCHBOARD_ALLOCATION_PROFILE: profilePath, ...(values.survivors ? { SWITCHBOARD_ALLOCATION_SURVIVORS: '1' } : {}), SWITCHBOARD_SEMI_SPACE_MB: 'off' },
    });
    if ('skipped' in started) {
      summary.push(`| ${name} | skipped: ${started.skipped} |`);
      continue;
    }
    const { target } = started;
    const request = requestFor(target, workload);
    if (!request) {
      summary.push(`| ${name} | not run: no ${workload} workload |`);
      await target.stop();
      continue;
    }
    try {
      const url = new URL(request.url);
      const body = requestBody(request.model, mode, workload);
      await driver.drive(url, request.headers, body, Number(values.warmup));
      process.kill(target.pid!, 'SIGUSR2');
      await waitFor(`${profilePath}.started`, 30_000);
      await driver.drive(url, request.headers, body, requests);
      process.kill(target.pid!, 'SIGUSR2');
      await waitFor(profilePath, 30_000);
      const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as { head: SamplingNode };
      const { total, byFunction, byArea } = tally(profile.head);
      summary.push(`| ${name} | ${Math.round(total / requests).toLocaleString('en-US')} |`);
      process.stdout.write(
        [
          `## ${name}, ${workload} ${mode}: ${Math.round(total / requests).toLocaleString('en-US')} bytes allocated per request on the main thread`,
          '',
          '| area | bytes/request | share |',
          '|---|--:|--:|',
          ...rows(byArea, total, 12),
          '',
          '| function (self) | bytes/request | share |',
          '|---|--:|--:|',
          ...rows(byFunction, total, Number(values.top)),
          '',
        ].join('\n') + '\n',
      );
    } finally {
      await target.stop();
      rmSync(directory, { recursive: true, force: true });
    }
  }
} finally {
  await fake.stop();
  driver.close();
}
process.stdout.write(`| target | ${mode}: bytes allocated per request |\n|---|--:|\n${summary.join('\n')}\n\n(${workload} workload, ${requests} sampled requests after ${values.warmup} warm-up, 16 connections.)\n`);
