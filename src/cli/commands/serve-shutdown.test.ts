/**
 * Graceful shutdown of the real `switchboard serve` process: SIGTERM while 50 streams are live
 * lets all of them finish, exits 0, and leaves every request in the log for the next start.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { FakeUpstream } from '../../testing/fake-upstream.js';
import { openAIStream } from '../../testing/openai-replies.js';
import { startServeProcess } from '../../testing/cli-process.js';

const STREAMS = 50;
const getJson = async (url: string): Promise<any> => (await fetch(url)).json();
const PARTS = Array.from({ length: 12 }, (_, index) => `part${index} `);

let upstream: FakeUpstream;
let directory: string;
let configPath: string;

beforeAll(async () => {
  upstream = await FakeUpstream.start(() => openAIStream(PARTS, { gapMs: 100 }));
  directory = mkdtempSync(join(tmpdir(), 'switchboard-shutdown-'));
  configPath = join(directory, 'switchboard.yaml');
  // JSON is YAML.
  writeFileSync(configPath, JSON.stringify({
    server: { port: 0, drain_timeout_ms: 20_000 },
    storage: { url: `sqlite://${join(directory, 'switchboard.db')}` },
    logging: { level: 'warn' },
    models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream' }],
  }));
});

afterAll(async () => {
  await upstream.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('switchboard serve on SIGTERM', () => {
  it('finishes all 50 live streams, exits 0, and keeps all 50 in the log across a restart', async () => {
    const first = await startServeProcess(configPath);
    const client = new OpenAI({ baseURL: `${first.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    let started = 0;
    let allStarted!: () => void;
    const live = new Promise<void>((resolve) => (allStarted = resolve));
    const streams = Array.from({ length: STREAMS }, async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count' }], stream: true });
      let text = '';
      let counted = false;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (!counted && text.length > 0) {
          counted = true;
          if (++started === STREAMS) allStarted();
        }
      }
      return text;
    });
    await live;
    first.child.kill('SIGTERM');

    // New connections are refused while the live streams drain.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(fetch(`${first.url}/health`)).rejects.toThrow();

    const texts = await Promise.all(streams);
    expect(texts).toEqual(Array.from({ length: STREAMS }, () => PARTS.join('')));
    expect(await first.exited).toBe(0);

    const second = await startServeProcess(configPath);
    try {
      const spend = await getJson(`${second.url}/api/spend?group_by=model`);
      expect(spend.totals).toMatchObject({ requests: STREAMS, errors: 0 });
      expect(spend.data).toMatchObject([{ requests: STREAMS }]);
      const recent = (await getJson(`${second.url}/api/requests?limit=100`)).data;
      expect(recent).toHaveLength(STREAMS);
      for (const record of recent) expect(record).toMatchObject({ status: 200, streamed: true, completion_tokens: PARTS.length });
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 60_000);
});
