/**
 * `npm run router:diagnose` is where the README's explanation of the missed routing targets
 * comes from. This runs it (with the shipped table, a few seconds) and checks that the figures
 * the README quotes are the ones it prints, so a new table or router data cannot leave the
 * README stale. The datasets live in ../shared: in CI their absence is a failure, locally the
 * test is skipped and says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATASETS = fileURLToPath(new URL('../../shared/datasets/routing/', import.meta.url));
const available = existsSync(DATASETS);

/** The printed table as "dataset | held out | weak | scorer" → APGR (mean over folds). */
function apgrTable(output: string): Map<string, number> {
  const table = new Map<string, number>();
  for (const line of output.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length !== 8 || !/^\d\.\d{3}/.test(cells[5])) continue;
    table.set(cells.slice(1, 5).join(' | '), Number(cells[5].slice(0, 5)));
  }
  return table;
}

describe('npm run router:diagnose', () => {
  // Only the test that applies is declared, so a run never lists a skip whose reason is false.
  if (!available && process.env.CI === 'true') {
    it('needs the routing datasets in ../shared in CI', () => {
      expect.fail(`routing datasets not found at ${DATASETS}: CI must check out ../shared beside the repository`);
    });
  } else if (!available) {
    it.skip(`prints the figures the README quotes: skipped, no datasets at ${DATASETS}`, () => {});
  }

  it.runIf(available)('prints the figures the README quotes', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/router-diagnostics.ts', '--data', DATASETS], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const table = apgrTable(run.stdout);
    const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8').replace(/\s+/g, ' ');
    const quoted = [
      ['mmlu-dev | whole tasks | mixtral-8x7b-instruct | subject oracle (reads the answers)', 'APGR 0.742 if it were known'],
      ['mmlu-dev | whole tasks | mixtral-8x7b-instruct | nearest subjects', 'subjects: 0.525, below length'],
      ['alpaca-dev | random folds | mixtral-8x7b-instruct | gain direction + length', 'best learnable direction (0.562)'],
    ] as const;
    for (const [row, phrase] of quoted) {
      expect(table.get(row), row).toBeDefined();
      expect(readme, `README quotes ${row}`).toContain(phrase.replace(/0\.\d{3}/, table.get(row)!.toFixed(3)));
    }
    const pairs = /puts (\d+) of (\d+) \(hard, easy\) example pairs/.exec(run.stdout);
    expect(pairs, run.stdout).not.toBeNull();
    expect(readme).toContain(`(${pairs![1]} of ${pairs![2]} sane pairs the right way round)`);
  }, 120_000);
});
