import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectMix, projectModel } from '../../cost/cost-projection.js';
import { SqliteRequestLogStore } from '../../storage/sqlite/sqlite-request-log-store.js';
import { emptyRecord } from '../../storage/request-record.js';
import { runCliInProcess } from '../../testing/in-process-cli.js';


const directories: string[] = [];
function emptyConfig(): string {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  directories.push(directory);
  const path = join(directory, 'switchboard.yaml');
  writeFileSync(path, `storage: { url: "sqlite://${join(directory, 'switchboard.db')}" }\n`);
  return path;
}
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('cost estimate', () => {
  it('reproduces the published arithmetic: 10M input tokens a day is $25 on gpt-4o and $1.50 on gpt-4o-mini', async () => {
    const text = await runCliInProcess(['cost', 'estimate', '--requests-per-day', '10000', '--tokens-per-request', '1000', '--input-share', '1', '--models', 'gpt-4o,gpt-4o-mini', '--config', emptyConfig()]);
    expect(text).toMatch(/gpt-4o {2,}2\.50 +10\.00 +\$25\.00 +\$750\.00/);
    expect(text).toMatch(/gpt-4o-mini +0\.15 +0\.60 +\$1\.50 +\$45\.00/);
  });

  it('prices output tokens at the output price and projects a weak/strong mix', async () => {
    const text = await runCliInProcess([
      'cost', 'estimate', '--requests-per-day', '10000', '--tokens-per-request', '1000', '--input-share', '0.7',
      '--models', 'gpt-4o,gpt-4o-mini', '--weak-share', '0.8', '--config', emptyConfig(),
    ]);
    // gpt-4o: 7M × $2.50 + 3M × $10 = $47.50; gpt-4o-mini: 7M × $0.15 + 3M × $0.60 = $2.85.
    expect(text).toMatch(/gpt-4o {2,}.*\$47\.50 +\$1,425\.00/);
    expect(text).toMatch(/gpt-4o-mini .*\$2\.85 +\$85\.50/);
    // Mix: 0.8 × 2.85 + 0.2 × 47.50 = $11.78 a day.
    expect(text).toMatch(/mix: 80% gpt-4o-mini \+ 20% gpt-4o +\$11\.78 +\$353\.40/);
    expect(text).toMatch(/saves \$35\.72\/day/);
  });

  it('projects from real traffic with --from-logs', async () => {
    const config = emptyConfig();
    const store = new SqliteRequestLogStore(join(config, '..', 'switchboard.db'));
    // 140 requests over the last 7 days = 20 a day, 1000 tokens each, 70% input.
    await store.insertMany(Array.from({ length: 140 }, (_, index) => ({
      ...emptyRecord(`req_${index}`, '/v1/chat/completions', Date.now() - index * 3_600_000),
      served_model: 'gpt-4o', prompt_tokens: 700, completion_tokens: 300, cost_usd: 0.00475,
    })));
    await store.close();
    const text = await runCliInProcess(['cost', 'estimate', '--from-logs', '7', '--models', 'gpt-4o', '--config', config]);
    expect(text).toMatch(/Traffic: 20 requests\/day × 1,000 tokens = 20,000 tokens\/day \(70% input/);
    expect(text).toMatch(/actual spend \$0\.10\/day/);
    // 14,000 × $2.50/1M + 6,000 × $10/1M = $0.095 a day.
    expect(text).toMatch(/gpt-4o +2\.50 +10\.00 +\$0\.10 +\$2\.85/);
  });

  it('computes per-model figures from prices per 1M tokens', () => {
    const profile = { requestsPerDay: 10_000, tokensPerRequest: 1000, inputShare: 1 };
    const strong = projectModel(profile, 'gpt-4o', { input: 2.5, output: 10 });
    const weak = projectModel(profile, 'gpt-4o-mini', { input: 0.15, output: 0.6 });
    expect(strong.dailyUsd).toBeCloseTo(25, 10);
    expect(weak.dailyUsd).toBeCloseTo(1.5, 10);
    expect(projectMix([strong, weak], 0.5)!.dailyUsd).toBeCloseTo(13.25, 10);
  });
});

describe('keys and spend commands', () => {
  it('creates a key once, lists it without its secret, revokes it, and reports spend from the store', async () => {
    const config = emptyConfig();
    const created = JSON.parse(await runCliInProcess(['keys', 'create', '--name', 'team-a', '--budget-usd', '50', '--period', 'month', '--rpm', '600', '--json', '--config', config]));
    expect(created).toMatchObject({ name: 'team-a', budget_usd: 50, budget_period: 'month', rpm: 600 });
    expect(created.key).toMatch(/^sk-sb-/);
    const listed = await runCliInProcess(['keys', 'list', '--config', config]);
    expect(listed).toContain(created.id);
    expect(listed).toContain('$0.0000 of $50/month (0.0%), 600 rpm');
    expect(listed).not.toContain(created.key);
    expect(await runCliInProcess(['keys', 'revoke', created.id, '--config', config])).toContain('Revoked');
    expect(await runCliInProcess(['keys', 'list', '--config', config])).not.toContain(created.id);
    expect(await runCliInProcess(['keys', 'list', '--all', '--config', config])).toContain('REVOKED');
    expect(await runCliInProcess(['spend', '--group-by', 'key', '--config', config])).toMatch(/^key +requests +tokens +cost_usd +baseline_cost_usd +saved_usd/);
  });
});
