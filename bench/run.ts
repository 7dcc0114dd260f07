/**
 * `npm run bench`: Switchboard side by side with the direct call, nginx, Portkey's gateway and a
 * bare undici pass-through proxy (the floor for Node), all in front of one fast fake upstream,
 * at 1, 32 and 256 connections and a fixed rate, for JSON and streamed (20 chunk) answers.
 * Writes bench/results/latest.{md,svg,json}.
 *
 *   npm run bench                 full run, about 10 minutes
 *   npm run bench -- --quick      one round of 2 s runs, about 3 minutes
 *   npm run bench -- --targets direct,switchboard --scenarios json-c1,json-c32
 *   npm run bench -- --scenarios realistic-json-c32,realistic-stream-c32   issue #20's realistic case
 *   npm run bench -- --node-flags=--max-semi-space-size=64   Node flags for Switchboard's process
 *   npm run bench -- --baseline-ref 08999f1   also run that commit's build, in the same run
 *   npm run bench -- --baseline-ref HEAD --baseline-node-flags=--max-semi-space-size=16
 *                                 this build twice, the baseline with other Node flags
 *
 * Runs on the compiled gateway (`npm run build` first; `npm run bench` does it).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findWrk, installWrk, measureFirstToken, runNodeLoad, runWrk, type LoadResult, type LoadSpec } from './lib/load.js';
import { cpuSeconds, procAvailable, processTree, rssBytes } from './lib/proc-stats.js';
import { markdownReport, markdownTable, firstTokenTable, svgChart, targetsTable, checkTargets, type BenchResults, type FirstToken, type Measurement, type Scenario } from './lib/report.js';
import { prepareBaseline } from './lib/baseline-build.js';
import { ALL_TARGETS, DEFAULT_TARGETS, REPO_ROOT, requestFor, startFakeUpstreamProcess, startTarget, versionOf, type RunningTarget, type TargetName } from './lib/targets.js';
import { requestBody, WORKLOADS } from './lib/workloads.js';

export { requestBody } from './lib/workloads.js';

export interface BenchOptions {
  targets: TargetName[];
  scenarios?: string[];
  durationSeconds: number;
  rounds: number;
  warmupSeconds: number;
  rate: number;
  rateConnections: number;
  firstTokenSamples: number;
  outDirectory: string;
  install: boolean;
  generator: 'wrk' | 'node' | 'auto';
  switchboardWorkers: number;
  switchboardNodeFlags: string[];
  /** Node flags for the `baseline` target, when they differ from Switchboard's. */
  baselineNodeFlags?: string[];
  /** Checkout of another build for the `baseline` target. */
  baselineDirectory?: string;
  command: string;
  log: (line: string) => void;
}

/**
 * The routed workload at 1, 32 and 256 connections and a fixed rate; the realistic one
 * (issue #20, bench/lib/workloads.ts) at 1 and 32 connections, named `realistic json c=32`.
 */
export function scenarioList(options: Pick<BenchOptions, 'rate' | 'rateConnections' | 'scenarios'>): Scenario[] {
  const all: Scenario[] = [];
  for (const mode of ['json', 'stream'] as const) {
    for (const connections of [1, 32, 256]) all.push({ id: `${mode} c=${connections}`, mode, connections, workload: 'routed' });
    all.push({ id: `${mode} ${options.rate}/s`, mode, connections: options.rateConnections, rate: options.rate, workload: 'routed' });
  }
  for (const mode of ['json', 'stream'] as const) {
    for (const connections of [1, 32]) all.push({ id: `realistic ${mode} c=${connections}`, mode, connections, workload: 'realistic' });
  }
  if (!options.scenarios) return all;
  // `json-c32`, `stream-rate`, `realistic-json-c32` on the command line.
  const wanted = new Set(options.scenarios.map((name) => name.replace('realistic-', 'realistic ').replace('-c', ' c=').replace('-rate', ` ${options.rate}/s`)));
  return all.filter((scenario) => wanted.has(scenario.id));
}

interface Accumulator {
  requests: number;
  durationSeconds: number;
  p50: number[];
  p99: number[];
  errors: number;
  cpuSeconds: number;
  rss: number;
}

export async function runBenchmark(options: BenchOptions): Promise<BenchResults> {
  const started = Date.now();
  const { log } = options;
  const notes: string[] = [];
  const workDirectory = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const scenarios = scenarioList(options);

  let wrk: string | undefined;
  if (options.generator !== 'node') {
    wrk = findWrk() ?? (options.install ? installWrk(log) : undefined);
    if (!wrk && options.generator === 'wrk') throw new Error('wrk is not installed and could not be installed');
    if (!wrk) notes.push('wrk was not available: the Node stand-in generator was used, which takes CPU from the targets; figures are lower than with wrk.');
  }
  const generator = wrk ? (versionOf(wrk, ['-v']) ?? 'wrk').replace(/ Copyright.*/, '') : 'Node closed-loop client (wrk unavailable)';
  const runLoad = (spec: LoadSpec): Promise<LoadResult> => (wrk ? runWrk(wrk, spec, workDirectory) : runNodeLoad(spec));

  const fake = await startFakeUpstreamProcess();
  const running: RunningTarget[] = [];
  try {
    for (const name of options.targets) {
      log(`starting ${name}…`);
      const result = await startTarget(name, {
        fakePort: fake.port,
        workDirectory,
        install: options.install,
        switchboardWorkers: options.switchboardWorkers,
        switchboardNodeFlags: options.switchboardNodeFlags,
        baselineNodeFlags: options.baselineNodeFlags,
        baselineDirectory: options.baselineDirectory,
        log,
      });
      if ('skipped' in result) {
        log(`skipping ${name}: ${result.skipped}`);
        notes.push(`${name} skipped: ${result.skipped}`);
      } else {
        running.push(result.target);
      }
    }
    if (options.switchboardWorkers > 1) notes.push(`Switchboard ran with --workers ${options.switchboardWorkers}.`);
    const nginxVersion = running.some((target) => target.name === 'nginx') ? versionOf('nginx', ['-v']) : undefined;
    if (nginxVersion) notes.push(`${nginxVersion.replace('nginx version: ', '')}, one worker process, access log off, upstream keep-alive, proxy_buffering off.`);

    // Warm the JITs and connection pools before anything is measured.
    if (options.warmupSeconds > 0) {
      for (const target of running) {
        for (const workload of WORKLOADS) {
          if (!scenarios.some((scenario) => scenario.workload === workload)) continue;
          const request = requestFor(target, workload);
          if (!request) continue;
          for (const mode of ['json', 'stream'] as const) {
            await runLoad({ url: request.url, headers: request.headers, body: requestBody(request.model, mode, workload), connections: 32, durationSeconds: options.warmupSeconds });
          }
        }
      }
    }

    const totals = new Map<string, Accumulator>();
    const firstTokens = new Map<TargetName, { p50: number[]; p99: number[]; samples: number }>();
    for (const scenario of scenarios) {
      for (let round = 0; round < options.rounds; round++) {
        for (const target of running) {
          const request = requestFor(target, scenario.workload);
          if (!request) continue;
          const pids = target.pid && procAvailable ? processTree(target.pid) : [];
          const cpuBefore = cpuSeconds(pids);
          const result = await runLoad({
            url: request.url,
            headers: request.headers,
            body: requestBody(request.model, scenario.mode, scenario.workload),
            connections: scenario.connections,
            durationSeconds: options.durationSeconds,
            rate: scenario.rate,
          });
          const cpuUsed = cpuSeconds(pids) - cpuBefore;
          const key = `${scenario.id}\u0000${target.name}`;
          const total = totals.get(key) ?? { requests: 0, durationSeconds: 0, p50: [], p99: [], errors: 0, cpuSeconds: 0, rss: 0 };
          total.requests += result.requests;
          total.durationSeconds += result.durationSeconds;
          total.p50.push(result.p50Ms);
          total.p99.push(result.p99Ms);
          total.errors += result.errors;
          total.cpuSeconds += cpuUsed;
          total.rss = Math.max(total.rss, pids.length ? rssBytes(processTree(target.pid!)) : 0);
          totals.set(key, total);
          log(`${scenario.id.padEnd(22)} ${target.name.padEnd(18)} ${Math.round(result.requestsPerSecond).toString().padStart(6)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms${pids.length ? `  cpu ${((cpuUsed / Math.max(1, result.requests)) * 1e6).toFixed(0)} µs/req` : ''}${result.errors ? `  errors ${result.errors}` : ''}`);
        }
      }
    }
    if (options.firstTokenSamples > 0) {
      for (let round = 0; round < options.rounds; round++) {
        for (const target of running) {
          const request = requestFor(target, 'routed');
          if (!request) continue;
          const result = await measureFirstToken({ url: request.url, headers: request.headers, body: requestBody(request.model, 'stream') }, options.firstTokenSamples);
          const entry = firstTokens.get(target.name) ?? { p50: [], p99: [], samples: 0 };
          entry.p50.push(result.p50Ms);
          entry.p99.push(result.p99Ms);
          entry.samples += result.samples;
          firstTokens.set(target.name, entry);
          log(`first token      ${target.name.padEnd(12)} p50 ${result.p50Ms.toFixed(3)} ms  p99 ${result.p99Ms.toFixed(3)} ms`);
        }
      }
    }

    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
    const measurements: Measurement[] = [];
    for (const scenario of scenarios) {
      for (const target of running) {
        const total = totals.get(`${scenario.id}\u0000${target.name}`);
        if (!total) continue;
        measurements.push({
          scenario: scenario.id,
          target: target.name,
          requests: total.requests,
          durationSeconds: total.durationSeconds,
          requestsPerSecond: total.requests / total.durationSeconds,
          p50Ms: mean(total.p50),
          p99Ms: mean(total.p99),
          errors: total.errors,
          cpuMicrosPerRequest: target.pid && procAvailable ? (total.cpuSeconds / Math.max(1, total.requests)) * 1e6 : undefined,
          rssMegabytes: target.pid && procAvailable ? total.rss / 2 ** 20 : undefined,
        });
      }
    }
    const firstToken: FirstToken[] = [...firstTokens].map(([target, entry]) => ({ target, p50Ms: mean(entry.p50), p99Ms: mean(entry.p99), samples: entry.samples }));
    return {
      startedAt: new Date(started).toISOString(),
      command: options.command,
      wallSeconds: (Date.now() - started) / 1000,
      machine: `${cpus().length} cores, ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`,
      generator,
      notes,
      scenarios,
      targets: running.map((target) => target.name),
      measurements,
      firstToken,
    };
  } finally {
    for (const target of running) await target.stop();
    await fake.stop();
    rmSync(workDirectory, { recursive: true, force: true });
  }
}

export function writeResults(results: BenchResults, outDirectory: string, name = 'latest'): void {
  mkdirSync(outDirectory, { recursive: true });
  writeFileSync(join(outDirectory, `${name}.md`), markdownReport(results));
  writeFileSync(join(outDirectory, `${name}.svg`), svgChart(results));
  writeFileSync(join(outDirectory, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      targets: { type: 'string' },
      scenarios: { type: 'string' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      rate: { type: 'string', default: '500' },
      'first-token-samples': { type: 'string' },
      out: { type: 'string' },
      'no-install': { type: 'boolean', default: false },
      generator: { type: 'string', default: 'auto' },
      workers: { type: 'string', default: '1' },
      'cpu-prof': { type: 'string' },
      'node-flags': { type: 'string' },
      'baseline-ref': { type: 'string' },
      'baseline-node-flags': { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const baselineRef = values['baseline-ref'];
  const targets = (values.targets?.split(',') ?? DEFAULT_TARGETS) as TargetName[];
  // A baseline runs right after Switchboard, so the two alternate within every round.
  if (baselineRef && !targets.includes('baseline')) targets.splice(targets.indexOf('switchboard') + 1, 0, 'baseline');
  for (const target of targets) if (!ALL_TARGETS.includes(target)) throw new Error(`unknown target '${target}'; use ${ALL_TARGETS.join(', ')}`);
  const generator = values.generator as BenchOptions['generator'];
  if (!['wrk', 'node', 'auto'].includes(generator)) throw new Error('--generator is wrk, node or auto');
  const profileDirectory = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
  return {
    targets,
    scenarios: values.scenarios?.split(','),
    durationSeconds: Number(values.duration ?? (quick ? 2 : 6)),
    rounds: Number(values.rounds ?? (quick ? 1 : 2)),
    warmupSeconds: Number(values.warmup ?? (quick ? 2 : 3)),
    rate: Number(values.rate),
    rateConnections: 16,
    firstTokenSamples: Number(values['first-token-samples'] ?? (quick ? 100 : 300)),
    outDirectory: resolve(values.out ?? join(REPO_ROOT, 'bench/results')),
    install: values['no-install'] !== true,
    generator,
    switchboardWorkers: Number(values.workers),
    switchboardNodeFlags: [
      ...(values['node-flags']?.split(' ').filter(Boolean) ?? []),
      ...(profileDirectory ? ['--cpu-prof', '--cpu-prof-dir', profileDirectory] : []),
    ],
    baselineNodeFlags: values['baseline-node-flags']?.split(' ').filter(Boolean),
    baselineDirectory: baselineRef ? prepareBaseline(baselineRef, log) : undefined,
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    log,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(REPO_ROOT, 'bench/run.ts')) {
  const options = parseOptions(process.argv.slice(2));
  const results = await runBenchmark(options);
  writeResults(results, options.outDirectory);
  process.stdout.write(`\n${markdownTable(results)}\n\n${firstTokenTable(results)}\n\n${targetsTable(checkTargets(results))}\n\nWrote ${join(options.outDirectory, 'latest.md')} and latest.svg (${Math.round(results.wallSeconds)} s).\n`);
}
