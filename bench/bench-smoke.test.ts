import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTargets, markdownReport } from './lib/report.js';
import { REPO_ROOT } from './lib/targets.js';
import { runBenchmark, writeResults } from './run.js';

// A benchmark is not a test: this only checks that the bench runs end to end on a tiny budget
// and produces sane numbers, never that they meet a target.
describe('npm run bench (smoke)', () => {
  const outDirectory = mkdtempSync(join(tmpdir(), 'switchboard-bench-smoke-'));
  afterAll(() => rmSync(outDirectory, { recursive: true, force: true }));

  it('drives the direct call and Switchboard (routed and realistic, both provider kinds), and writes the table and the chart', async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/cli/main.js'))) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'ignore' });
      expect(build.status).toBe(0);
    }
    const results = await runBenchmark({
      targets: ['direct', 'switchboard', 'switchboard-openai'],
      scenarios: ['json-c1', 'json-c32', 'stream-c32', 'realistic-json-c32'],
      durationSeconds: 1,
      rounds: 1,
      warmupSeconds: 0.5,
      rate: 200,
      rateConnections: 4,
      firstTokenSamples: 10,
      outDirectory,
      install: false,
      generator: 'auto',
      switchboardWorkers: 1,
      switchboardNodeFlags: [],
      command: 'bench smoke test',
      log: () => {},
    });
    writeResults(results, outDirectory);

    expect(results.targets).toEqual(['direct', 'switchboard', 'switchboard-openai']);
    // switchboard-openai runs the realistic workload only.
    expect(results.measurements.map((row) => `${row.scenario}/${row.target}`)).toEqual([
      'json c=1/direct', 'json c=1/switchboard', 'json c=32/direct', 'json c=32/switchboard', 'stream c=32/direct', 'stream c=32/switchboard',
      'realistic json c=32/direct', 'realistic json c=32/switchboard', 'realistic json c=32/switchboard-openai',
    ]);
    for (const measurement of results.measurements) {
      expect(measurement.requestsPerSecond).toBeGreaterThan(0);
      expect(measurement.p50Ms).toBeGreaterThan(0);
      expect(measurement.p99Ms).toBeGreaterThanOrEqual(measurement.p50Ms);
      expect(measurement.errors).toBe(0);
      if (measurement.target !== 'direct') {
        expect(measurement.cpuMicrosPerRequest).toBeGreaterThan(0);
        expect(measurement.rssMegabytes).toBeGreaterThan(10);
      }
    }
    expect(results.firstToken.map((row) => row.target)).toEqual(['direct', 'switchboard']);
    for (const row of results.firstToken) expect(row.p50Ms).toBeGreaterThan(0);

    const markdown = readFileSync(join(outDirectory, 'latest.md'), 'utf8');
    expect(markdown).toBe(markdownReport(results));
    expect(markdown).toContain('| json c=32 | Switchboard |');
    expect(markdown).toContain('| realistic json c=32 | Switchboard, provider: openai |');
    expect(readFileSync(join(outDirectory, 'latest.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    // Portkey and nginx were not run: the targets that need them say so rather than pass.
    const throughput = checkTargets(results).find((check) => check.name.includes('Portkey'));
    expect(throughput?.met).toBeUndefined();
  }, 120_000);
});
