import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../program.js';

const WEAK = 'mixtral-8x7b-instruct';
const STRONG = 'gpt-4-1106-preview';

/** Forty rows: the weak model fails every integral question and answers every colour question. */
function writeDataset(directory: string): string {
  const lines: string[] = [];
  for (let index = 0; index < 40; index++) {
    const hard = index % 2 === 0;
    lines.push(
      JSON.stringify({
        id: `row-${index}`,
        task: 'tiny',
        prompt: hard ? `Evaluate the integral of x^${index} sin(x) dx from 0 to ${index}.` : `What colour is balloon number ${index}?`,
        scores: { [WEAK]: hard ? 0 : 1, [STRONG]: 1 },
        responses: { [WEAK]: 'The answer is 4.', [STRONG]: 'Let us work it out step by step. The answer is 4.' },
      }),
    );
  }
  const path = join(directory, 'tiny.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** Makes commander throw instead of exiting, on every command, and collects what it prints. */
function inProcess(program: Command, errors: string[]): Command {
  const configure = (command: Command): void => {
    command.exitOverride();
    command.configureOutput({ writeErr: (text) => errors.push(text), writeOut: (text) => errors.push(text) });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}

describe('router and eval commands', () => {
  let directory: string;
  let data: string;
  let routerPath: string;
  let printed: string[];
  let errors: string[];

  const run = (...args: string[]) => inProcess(buildProgram(), errors).parseAsync(['node', 'switchboard', ...args]);

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'router-cli-'));
    data = writeDataset(directory);
    routerPath = join(directory, 'router.json');
    printed = [];
    errors = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
      printed.push(String(text));
      return true;
    });
    await run('router', 'train', '--data', data, '--weak', WEAK, '--strong', STRONG, '--out', routerPath);
    printed.length = 0;
  });

  afterEach(() => vi.restoreAllMocks());

  it('trains a router file that records its models and data', () => {
    const file = JSON.parse(readFileSync(routerPath, 'utf8'));
    expect(file.format).toBe('switchboard-learned-router');
    expect(file.weak).toBe(WEAK);
    expect(file.strong).toBe(STRONG);
    expect(file.trainedOn).toEqual([{ name: 'tiny', rows: 40 }]);
  });

  it('calibrate --json prints exactly {"threshold": …} for the wanted strong share', async () => {
    await run('router', 'calibrate', '--router', routerPath, '--data', data, '--strong-share', '0.5', '--json');
    const output = printed.join('');
    expect(output).toMatch(/^\{"threshold":[-0-9.e]+\}\n$/);
    const { threshold } = JSON.parse(output);
    await run('router', 'score', '--router', routerPath, '--data', data, '--out', join(directory, 'scores.jsonl'));
    const scores = readFileSync(join(directory, 'scores.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(scores.filter((row) => row.score >= threshold)).toHaveLength(20);
  });

  it('score writes one {"id","score"} line per row', async () => {
    const out = join(directory, 'scores.jsonl');
    await run('router', 'score', '--router', routerPath, '--data', data, '--out', out);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(40);
    expect(Object.keys(lines[0])).toEqual(['id', 'score']);
    expect(lines[0].id).toBe('row-0');
    // Integral questions (even rows) score above colour questions (odd rows).
    expect(lines[0].score).toBeGreaterThan(lines[1].score);
  });

  it('eval --json reports quality, APGR, CPT, costs and operating points, and --plot writes an SVG', async () => {
    const plot = join(directory, 'plot.svg');
    await run('eval', '--router', routerPath, '--data', data, '--json', '--plot', plot);
    const report = JSON.parse(printed.join(''));
    const evaluation = report.evaluations[0];
    expect(evaluation.dataset).toBe('tiny');
    expect(evaluation.router.weakQuality).toBe(0.5);
    expect(evaluation.router.strongQuality).toBe(1);
    expect(evaluation.router.apgr).toBeGreaterThan(0.7);
    expect(evaluation.random.apgr).toBeCloseTo(0.5, 12);
    expect(evaluation.oracle.cpt50).toBeCloseTo(0.25, 12);
    expect(evaluation.operatingPoints.map((point: { strongShare: number }) => point.strongShare)).toEqual([0.2, 0.3, 0.5]);
    expect(evaluation.costPer1000.allStrong).toBeGreaterThan(evaluation.costPer1000.allWeak);
    expect(evaluation.assumedOutputRows).toEqual({ [WEAK]: 0, [STRONG]: 0 });
    const svg = readFileSync(plot, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(3);
  });

  it('eval judges only the rows the router never trained on, and says how many it set apart', async () => {
    // The router trained on tiny.jsonl; a second file repeats those 40 prompts and adds 20 new ones.
    const mixed = join(directory, 'mixed.jsonl');
    const fresh = Array.from({ length: 20 }, (_, index) =>
      JSON.stringify({ id: `new-${index}`, task: 'tiny', prompt: index % 2 === 0 ? `Differentiate x^${index} cos(x) twice.` : `Name a fruit that is coloured ${index}.`, scores: { [WEAK]: index % 2 === 0 ? 0 : 1, [STRONG]: 1 } }),
    );
    writeFileSync(mixed, `${readFileSync(data, 'utf8')}${fresh.join('\n')}\n`);
    await run('eval', '--router', routerPath, '--data', mixed, '--json');
    const evaluation = JSON.parse(printed.join('')).evaluations[0];
    expect(evaluation.sample).toEqual({ inSample: 40, heldOut: 20, evaluated: 'held-out' });
    expect(evaluation.rows).toBe(20);
    printed.length = 0;
    await run('eval', '--router', routerPath, '--data', mixed);
    expect(printed.join('')).toMatch(/in-sample: 40 rows \(the router was trained on them; left out\); held out: 20 rows, APGR \d\.\d{3}/);
  });

  it('eval warns when every row trained the router, and --include-trained judges them all', async () => {
    await run('eval', '--router', routerPath, '--data', data);
    expect(printed.join('')).toContain('warning: the router was trained on all 40 rows: these figures are in-sample');
    printed.length = 0;
    await run('eval', '--router', routerPath, '--data', data, '--json', '--include-trained');
    expect(JSON.parse(printed.join('')).evaluations[0].sample).toEqual({ inSample: 40, heldOut: 0, evaluated: 'all' });
  });

  it('eval --plot labels the quality axis and keeps the last share label inside the panel', async () => {
    const plot = join(directory, 'plot.svg');
    await run('eval', '--router', routerPath, '--data', data, '--plot', plot);
    const svg = readFileSync(plot, 'utf8');
    expect(svg).toMatch(/<text [^>]*rotate\(-90[^>]*>quality \(mean score\)<\/text>/);
    expect(svg).toMatch(/text-anchor="end">100%<\/text>/);
  });

  it('eval prints a Markdown report with random and oracle reference lines', async () => {
    await run('eval', '--router', routerPath, '--data', data);
    const output = printed.join('');
    expect(output).toContain('## tiny (40 rows, ALL IN-SAMPLE)');
    expect(output).toMatch(/\| random \| 0\.500 \| 50\.0% \| 80\.0% \|/);
    expect(output).toContain('| oracle |');
    expect(output).toContain(`| 100% (all ${STRONG}) |`);
  });

  it('fails in one line with a non-zero exit when a file is missing', async () => {
    await expect(run('router', 'calibrate', '--router', join(directory, 'missing.json'), '--data', data, '--strong-share', '0.3')).rejects.toMatchObject({ exitCode: 2 });
    expect(errors.join('')).toBe(`error: ${join(directory, 'missing.json')}: file not found\n`);
  });

  it('names the file and line of a broken dataset', async () => {
    const broken = join(directory, 'broken.jsonl');
    writeFileSync(broken, `${readFileSync(data, 'utf8').split('\n')[0]}\nnot json\n`);
    await expect(run('router', 'score', '--router', routerPath, '--data', broken, '--out', join(directory, 'out.jsonl'))).rejects.toMatchObject({ exitCode: 2 });
    expect(errors.join('')).toBe(`error: ${broken}:2: not valid JSON\n`);
  });

  it('rejects a strong share outside 0..1 before doing any work', async () => {
    await expect(run('router', 'calibrate', '--router', routerPath, '--data', data, '--strong-share', '1.5')).rejects.toMatchObject({ exitCode: 1 });
    expect(errors.join('')).toContain('must be a share from 0 to 1');
  });

  it('prints a Markdown table from router cv', async () => {
    await run('router', 'cv', '--data', data, '--weak', WEAK, '--strong', STRONG, '--folds', '2', '--scheme', 'random-folds');
    const output = printed.join('');
    expect(output).toContain('| dataset | validation | splits | APGR |');
    expect(output).toMatch(/\| tiny \| random folds \| 2 \| /);
  });
});
