/**
 * What `switchboard serve` says at startup, run as the real CLI: a model it cannot price is
 * named (and its answers marked cost-estimated), and log lines keep one format throughout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../../testing/fake-upstream.js';
import { healthy } from '../../testing/faults.js';
import { startServeProcess } from '../../testing/cli-process.js';

let upstream: FakeUpstream;
let directory: string;

function writeConfig(name: string, logging: string): string {
  const path = join(directory, name);
  writeFileSync(
    path,
    [
      'server: { port: 0 }',
      `storage: { url: "sqlite://${join(directory, `${name}.db`)}" }`,
      `logging: ${logging}`,
      'models:',
      `  - { name: house-model, provider: openai-compatible, base_url: "${upstream.url}/v1", model: our-finetune-v3 }`,
      `  - { name: gpt-4o-mini, provider: openai, base_url: "${upstream.url}/v1", api_key: sk-upstream }`,
      '',
    ].join('\n'),
  );
  return path;
}

beforeAll(async () => {
  upstream = await FakeUpstream.start(healthy);
  directory = mkdtempSync(join(tmpdir(), 'switchboard-startup-'));
});

afterAll(async () => {
  await upstream.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('switchboard serve at startup', () => {
  it('names a model with no price and marks its answers cost-estimated, but not a priced one', async () => {
    const gateway = await startServeProcess(writeConfig('unpriced.yaml', '{ level: info, format: json }'));
    try {
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'none', maxRetries: 0 });
      const unpriced = await client.chat.completions.create({ model: 'house-model', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
      expect(unpriced.response.headers.get('x-switchboard-cost-estimated')).toBe('true');
      expect(unpriced.response.headers.get('x-switchboard-cost-usd')).toBe('0.00000000');
      const priced = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
      expect(priced.response.headers.get('x-switchboard-cost-estimated')).toBeNull();

      const warnings = gateway
        .stdout()
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .filter((record) => record.level === 40 && record.msg.includes('has no price'));
      expect(warnings.map((record) => record.msg)).toEqual([expect.stringMatching(/^model 'house-model' \(upstream our-finetune-v3\) has no price: .*Add `price: \{ input: …, output: … \}`/)]);
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  }, 60_000);

  it('with logging.format: pretty, writes human-readable lines only, banner and warnings alike', async () => {
    const gateway = await startServeProcess(writeConfig('pretty.yaml', '{ level: info, format: pretty }'));
    expect(await gateway.stop()).toBe(0);
    const lines = gateway.stdout().trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] (INFO|WARN): \S/);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/ WARN: model 'house-model' .* has no price/), expect.stringMatching(/ INFO: Switchboard listening on http:/), expect.stringMatching(/ INFO: request log flushed; bye/)]));
  }, 60_000);
});
