/** `switchboard keys list`, run as the real CLI against a request log with spend in it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetWindow } from '../../governance/budgets/budget-window.js';
import { emptyRecord } from '../../storage/request-record.js';
import { SqliteRequestLogStore } from '../../storage/sqlite/sqlite-request-log-store.js';
import { runCli } from '../../testing/cli-process.js';

let directory: string;
let configPath: string;
let databasePath: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'switchboard-keys-'));
  databasePath = join(directory, 'switchboard.db');
  configPath = join(directory, 'switchboard.yaml');
  writeFileSync(configPath, `storage: { url: "sqlite://${databasePath}" }\n`);
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function createKey(...args: string[]): Promise<string> {
  const created = await runCli(['keys', 'create', '--config', configPath, '--json', ...args]);
  expect(created.code).toBe(0);
  return (JSON.parse(created.stdout) as { id: string }).id;
}

describe('switchboard keys list', () => {
  it("shows each key's spend in its current window against its budget", async () => {
    const budgeted = await createKey('--name', 'team-a', '--budget-usd', '2', '--budget-tokens', '1000', '--period', 'month');
    const unbudgeted = await createKey('--name', 'team-b', '--period', 'day');

    const thisMonth = budgetWindow('month');
    const record = (id: string, keyId: string, timestamp: number, cost: number, tokens: number) => ({ ...emptyRecord(id, '/v1/chat/completions', timestamp), key_id: keyId, cost_usd: cost, prompt_tokens: tokens });
    const store = new SqliteRequestLogStore(databasePath);
    await store.insertMany([
      record('r1', budgeted, Date.now() - 1000, 0.25, 150),
      record('r2', budgeted, Date.now() - 500, 0.25, 100),
      // Last month's spend does not count against this month's budget.
      record('r3', budgeted, thisMonth.start - 1, 5, 5000),
      record('r4', unbudgeted, Date.now() - 1000, 0.0125, 40),
    ]);
    await store.close();

    const listed = await runCli(['keys', 'list', '--config', configPath]);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines.find((line) => line.includes(budgeted))).toMatch(/ team-a .* \$0\.5000 of \$2\/month \(25\.0%\), 250 of 1000 tokens\/month \(25\.0%\)$/);
    expect(lines.find((line) => line.includes(unbudgeted))).toMatch(/ team-b .* \$0\.0125 today, no budget$/);

    const json = JSON.parse((await runCli(['keys', 'list', '--config', configPath, '--json'])).stdout) as Array<{ id: string; spend: { usd: number; tokens: number; window_start: string } }>;
    expect(json.find((key) => key.id === budgeted)?.spend).toMatchObject({ usd: 0.5, tokens: 250, window_start: new Date(thisMonth.start).toISOString() });
  }, 60_000);
});
