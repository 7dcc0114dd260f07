/**
 * The quick start as a newcomer runs it: `switchboard serve --simulate` in an empty directory
 * with no provider key, then the README's examples through the official `openai` client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServeProcess, type CliProcess } from '../../testing/cli-process.js';

let directory: string;
let gateway: CliProcess;
let client: OpenAI;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'switchboard-quick-start-'));
  const environment: NodeJS.ProcessEnv = { ...process.env, SWITCHBOARD_SIMULATED_LATENCY_SCALE: '0' };
  for (const variable of ['SWITCHBOARD_ADMIN_KEY', 'SWITCHBOARD_CONFIG', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY']) delete environment[variable];
  gateway = await startServeProcess(['--simulate', '--port', '0'], { cwd: directory, env: environment });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'none', maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  expect(await gateway.stop()).toBe(0);
  rmSync(directory, { recursive: true, force: true });
});

describe('serve --simulate', () => {
  it("answers the README's first example (model: 'auto') through the learned route, marked simulated", async () => {
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'What is the capital of France?' }] })
      .withResponse();
    expect(response.headers.get('x-switchboard-simulated')).toBe('true');
    expect(response.headers.get('x-switchboard-route')).toMatch(/^auto; strategy=learned; decision=(weak|strong)$/);
    expect(['gpt-4o-mini', 'gpt-4o']).toContain(response.headers.get('x-switchboard-model'));
    expect(completion.choices[0]!.message.content).toMatch(/^\[simulated gpt-4o(-mini)?\] /);
    expect(Number(response.headers.get('x-switchboard-cost-usd'))).toBeGreaterThan(0);
  });

  it("streams the Python example's gpt-4o-mini with usage, marked simulated", async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }], stream: true, stream_options: { include_usage: true } })
      .withResponse();
    expect(response.headers.get('x-switchboard-simulated')).toBe('true');
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toMatch(/^\[simulated gpt-4o-mini\] /);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('serves gpt-4o and embeddings, and still answers the sim-… names of earlier releases', async () => {
    const strong = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    expect(strong.choices[0]!.message.content).toMatch(/^\[simulated gpt-4o\] /);
    const { response: aliasResponse } = await client.chat.completions.create({ model: 'sim-auto', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(aliasResponse.headers.get('x-switchboard-route')).toMatch(/^sim-auto;/);
    expect(aliasResponse.headers.get('x-switchboard-model')).toMatch(/^sim-gpt-4o/);
    const { data: embeddings, response } = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' }).withResponse();
    expect(response.headers.get('x-switchboard-simulated')).toBe('true');
    expect(embeddings.data[0]!.embedding.length).toBeGreaterThan(0);
    const models = (await client.models.list()).data.map((model) => model.id);
    expect(models).toEqual(expect.arrayContaining(['auto', 'gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small', 'sim-gpt-4o-mini']));
  });

  it('logs JSON lines only, banner included, when stdout is not a terminal', () => {
    const lines = gateway.stdout().trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(records.map((record) => record.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Switchboard listening on http:\/\/127\.0\.0\.1:\d+\/v1 /), 'Simulated models: gpt-4o-mini, gpt-4o, text-embedding-3-small; routes: auto']),
    );
  });
});
