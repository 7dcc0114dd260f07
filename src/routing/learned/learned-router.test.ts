import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RoutingRow } from '../evaluation/routing-dataset.js';
import { createLearnedRouter, loadLearnedRouter } from './learned-router.js';
import { readRouterFile, serialiseRouterFile, validateRouterFile, writeRouterFile } from './router-file.js';
import { trainRouter } from './train-router.js';

/** Hard prompts mention integrals and the weak model fails them; easy ones ask for a colour. */
function syntheticRows(): RoutingRow[] {
  const rows: RoutingRow[] = [];
  for (let index = 0; index < 60; index++) {
    const hard = index % 2 === 0;
    rows.push({
      id: `row-${index}`,
      task: 'synthetic',
      prompt: hard ? `Evaluate the integral of x^${index} times sin(x) from 0 to ${index}.` : `What colour is item number ${index} in the picture?`,
      scores: { weak: hard ? 0 : 1, strong: 1 },
    });
  }
  return rows;
}

describe('learned router', () => {
  const file = trainRouter(syntheticRows(), { weak: 'weak', strong: 'strong', description: 'synthetic' });

  it('scores prompts like the ones the weak model failed above those it answered', () => {
    const router = createLearnedRouter(file);
    const hard = router.score('Evaluate the integral of x^2 cos(x) from 0 to 3.');
    const easy = router.score('What colour is the sky in picture number 3?');
    // With the default `gain` label, a prompt the weak model answers as well as the strong one
    // is a ½ target (no gain), so "easy" sits near ½, and "hard" near 1.
    expect(hard).toBeGreaterThan(0.9);
    expect(easy).toBeLessThan(0.6);
    expect(router.weak).toBe('weak');
    expect(router.strong).toBe('strong');
    expect(router.description).toBe('synthetic');
  });

  it('keeps scores in [0, 1] for empty, huge and unusual prompts', () => {
    const router = createLearnedRouter(file);
    for (const prompt of ['', '∫∫∫ 🙂 '.repeat(5000), 'integral '.repeat(20_000)]) {
      const score = router.score(prompt);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
  });

  it('scores the same after a round trip through the file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'learned-router-'));
    const path = join(directory, 'router.json');
    writeRouterFile(path, file);
    expect(readRouterFile(path)).toEqual(file);
    const before = createLearnedRouter(file);
    const after = loadLearnedRouter(path);
    for (const row of syntheticRows()) expect(after.score(row.prompt)).toBe(before.score(row.prompt));
  });

  it('trains the same file from the same rows', () => {
    expect(serialiseRouterFile(trainRouter(syntheticRows(), { weak: 'weak', strong: 'strong', description: 'synthetic' }))).toBe(serialiseRouterFile(file));
  });

  it('names the file and the field when a router file is not valid', () => {
    expect(() => validateRouterFile({ ...file, version: 99 }, 'old.json')).toThrow(/^old\.json: not a Switchboard router file \(version:/);
    const directory = mkdtempSync(join(tmpdir(), 'learned-router-'));
    const path = join(directory, 'broken.json');
    writeFileSync(path, '{');
    expect(() => loadLearnedRouter(path)).toThrow(`${path}: not valid JSON`);
    expect(() => loadLearnedRouter(join(directory, 'missing.json'))).toThrow('missing.json: file not found');
  });

  it('scores a prompt far shorter than any training prompt like the shortest it trained on', () => {
    // Without the clamp, the length weights are extrapolated down to a single word.
    const router = createLearnedRouter(file);
    const { structureMin, structureMax } = file.features;
    expect(structureMin).toHaveLength(file.features.structure.length);
    expect(structureMax).toHaveLength(file.features.structure.length);
    const unclamped = createLearnedRouter({ ...file, version: 1, features: { ...file.features, structureMin: undefined, structureMax: undefined } });
    // Unseen words weigh nothing, so only the (clamped) structure measurements differ.
    expect(router.score('zq')).not.toBe(unclamped.score('zq'));
    expect(router.score('zq')).toBe(router.score('zq zq'));
    expect(unclamped.score('zq')).not.toBe(unclamped.score('zq zq'));
  });

  it('still loads a version 1 file, which has no structure range', () => {
    const { structureMin: _minimum, structureMax: _maximum, ...features } = file.features;
    const old = validateRouterFile({ ...file, version: 1, features }, 'v1.json');
    expect(createLearnedRouter(old).score('Evaluate the integral of x^2.')).toBeGreaterThan(0);
    expect(() => validateRouterFile({ ...file, version: 2, features }, 'v2.json')).toThrow(/v2\.json: version 2 needs features\.structureMin/);
  });

  it('refuses a file that uses a structure feature this version does not compute', () => {
    const features = { ...file.features, structure: file.features.structure.map((name, index) => (index === 0 ? 'line_count' : name)) };
    expect(() => validateRouterFile({ ...file, features }, 'future.json')).toThrow(/future\.json: made with structure features \[line_count\]/);
  });

  it('refuses to train when a row lacks a model score', () => {
    expect(() => trainRouter(syntheticRows(), { weak: 'weak', strong: 'gpt-4o' })).toThrow('row "row-0" has no score');
  });
});
