import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDING_TABLE_PATH, sharedStaticEmbedder } from '../../embedding/default-embedder.js';
import type { RoutingRow } from '../evaluation/routing-dataset.js';
import { createLearnedRouter, loadLearnedRouter } from './learned-router.js';
import { serialiseRouterFile } from './router-file.js';
import { trainLearnedRouter } from './train-domain-router.js';
import { promptHash } from './training-rows.js';

/**
 * Two kinds of traffic whose signals disagree: in `maths`, the weak model fails long problems;
 * in `chat`, it fails short questions and handles long requests.
 */
function rows(): RoutingRow[] {
  const result: RoutingRow[] = [];
  for (let index = 0; index < 40; index++) {
    const long = index % 2 === 0;
    result.push({
      id: `maths-${index}`,
      task: 'maths/algebra',
      prompt: long ? `Solve for x when ${index}x + 7 = 3x - 12, then compute the integral of x^${index} from 0 to 2, showing each step of the working.` : `Add ${index} and 3.`,
      scores: { weak: long ? 0 : 1, strong: 1 },
    });
    result.push({
      id: `chat-${index}`,
      task: 'chat',
      prompt: long ? `Please write a friendly, detailed letter to my neighbour number ${index} about the garden party next weekend, with the menu and the music.` : `Who wrote poem ${index}?`,
      scores: { weak: long ? 0.5 : 0, strong: 0.5 },
    });
  }
  return result;
}

describe('domain-expert router', () => {
  const embedder = sharedStaticEmbedder();
  const table = { file: basename(DEFAULT_EMBEDDING_TABLE_PATH), sha256: embedder.sha256 };
  const file = trainLearnedRouter(rows(), { weak: 'weak', strong: 'strong', domains: { embedder, table } });

  it('trains one expert per benchmark and a gate, and records the prompts it trained on', () => {
    expect(file.domains?.names).toEqual(['chat', 'maths']);
    expect(file.domains?.experts).toHaveLength(2);
    expect(file.trainingRows?.prompts).toContain(promptHash(rows()[0].prompt));
    expect(file.trainingRows?.prompts).toHaveLength(80);
  });

  it('ranks each kind of traffic by its own signal', () => {
    const router = createLearnedRouter(file, { embedder });
    const maths = rows().filter((row) => row.task.startsWith('maths'));
    const chat = rows().filter((row) => row.task === 'chat');
    const mean = (subset: RoutingRow[], long: boolean) => subset.filter((_row, index) => (index % 2 === 0) === long).reduce((sum, row) => sum + router.score(row.prompt), 0) / 20;
    expect(mean(maths, true)).toBeGreaterThan(mean(maths, false));
    expect(mean(chat, false)).toBeGreaterThan(mean(chat, true));
  });

  it('loads with the shipped table, and refuses a table other than the one it was trained with', () => {
    const directory = mkdtempSync(join(tmpdir(), 'domain-router-'));
    const path = join(directory, 'router.json');
    writeFileSync(path, serialiseRouterFile(file));
    const loaded = loadLearnedRouter(path);
    const prompt = rows()[0].prompt;
    expect(loaded.score(prompt)).toBeCloseTo(createLearnedRouter(file, { embedder }).score(prompt), 12);
    // A table of the same name beside the router is preferred, and checked.
    writeFileSync(join(directory, table.file), 'not the table');
    expect(() => loadLearnedRouter(path)).toThrow(/not a Switchboard embedding table/);
    copyFileSync(DEFAULT_EMBEDDING_TABLE_PATH, join(directory, table.file));
    writeFileSync(path, serialiseRouterFile({ ...file, embeddingTable: { ...table, sha256: '0'.repeat(64) } }));
    expect(() => loadLearnedRouter(path)).toThrow(/was trained with a different embedding-en\.bin/);
  });
});
