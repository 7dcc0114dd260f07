/**
 * Live reload (issue 13): SIGHUP or POST /api/config/reload swaps in the config file's models,
 * routes and limits; a bad config is refused with a one-line error while the old one serves;
 * requests in flight finish on the config they started with; SIGHUP never kills the process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../config/load-config.js';
import { startServeProcess } from '../testing/cli-process.js';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { createGateway, type Gateway } from './gateway.js';

let upstream: FakeUpstream;
let directory: string;
let configPath: string;

const modelEntry = (name: string, extra: Record<string, unknown> = {}) => ({ name, provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', ...extra });
function writeConfig(models: unknown[], routes: unknown[] = []): void {
  writeFileSync(configPath, JSON.stringify({ storage: { url: `sqlite://${join(directory, 'switchboard.db')}`, flush_interval_ms: 20 }, logging: { level: 'warn' }, server: { port: 0, drain_idle_grace_ms: 0 }, models, routes }));
}

beforeAll(async () => {
  // The model named `slow` answers after 800 ms, long enough to reload while it is in flight.
  upstream = await FakeUpstream.start((request) => ({ ...openAICompletion({ model: request.body?.model }), delayMs: request.body?.model === 'slow-upstream' ? 800 : 0 }));
  directory = mkdtempSync(join(tmpdir(), 'switchboard-reload-'));
  configPath = join(directory, 'switchboard.yaml');
});
afterAll(async () => {
  await upstream.close();
  rmSync(directory, { recursive: true, force: true });
});

async function post(url: string, path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return { status: response.status, body: await response.json() };
}

describe('POST /api/config/reload', () => {
  let gateway: Gateway;
  let url: string;
  let client: OpenAI;

  beforeAll(async () => {
    writeConfig([modelEntry('first', { model: 'slow-upstream' })], [{ name: 'auto', strategy: 'fixed', model: 'first' }]);
    gateway = await createGateway({ config: loadConfigFile(configPath).config, logger: pino({ level: 'silent' }), configDirectory: directory, reloadConfig: () => loadConfigFile(configPath).config });
    const address = await gateway.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${address.port}`;
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'none', maxRetries: 0 });
  });
  afterAll(async () => gateway?.close());

  it('swaps models and routes in, while a request in flight finishes on the config it started with', async () => {
    const inFlight = client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    await new Promise((resolve) => setTimeout(resolve, 200));
    writeConfig([modelEntry('first', { model: 'slow-upstream' }), modelEntry('second', { model: 'fast-upstream' })], [{ name: 'auto', strategy: 'fixed', model: 'second' }]);
    const reloaded = await post(url, '/api/config/reload');
    expect(reloaded.status).toBe(200);
    expect(reloaded.body).toMatchObject({ status: 'reloaded', models: ['first', 'second'], routes: ['auto'] });

    const { response: old } = await inFlight;
    expect(old.headers.get('x-switchboard-model')).toBe('first');
    const { response: fresh } = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(fresh.headers.get('x-switchboard-model')).toBe('second');
    expect((await client.models.retrieve('second')).id).toBe('second');
  });

  it('puts each reload on the audit log with the models, routes and limits before and after, upstream keys hashed', async () => {
    writeConfig([modelEntry('first', { model: 'slow-upstream' }), modelEntry('second', { model: 'fast-upstream', headers: { authorization: 'Bearer upstream-secret' } })], [{ name: 'auto', strategy: 'fixed', model: 'second' }]);
    expect((await post(url, '/api/config/reload')).status).toBe(200);
    const response = await fetch(`${url}/api/audit?action=config.reload`);
    const rows = ((await response.json()) as { data: any[] }).data;
    const latest = rows[0];
    expect(latest).toMatchObject({ action: 'config.reload', actor: 'anonymous', address: '127.0.0.1' });
    expect(latest.before.models.map((model: { name: string }) => model.name)).toEqual(['first', 'second']);
    expect(latest.after.models.map((model: { name: string }) => model.name)).toEqual(['first', 'second']);
    expect(latest.before.models[1].headers).toBeUndefined();
    expect(latest.after.models[1].headers.authorization).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(latest.after.routes).toEqual([expect.objectContaining({ name: 'auto', model: 'second' })]);
    expect(latest.after.governance).toMatchObject({ teams: {} });
    const text = JSON.stringify(latest);
    expect(text).not.toContain('sk-upstream');
    expect(text).not.toContain('upstream-secret');
    expect(latest.after.models[1].api_key).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('refuses a bad config with a one-line error and keeps serving the old one', async () => {
    writeConfig([modelEntry('second', { model: 'fast-upstream' })], [{ name: 'auto', strategy: 'learned', weak: 'second', strong: 'smarty', threshold: 0.5 }]);
    const refused = await post(url, '/api/config/reload');
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_config');
    expect(refused.body.error.message).toMatch(/routes\[0\]\.strong: 'smarty' is not a configured model/);
    expect(refused.body.error.message).not.toContain('\n    at ');
    const { response } = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(response.headers.get('x-switchboard-model')).toBe('second');
    expect((await client.models.list()).data.map((model) => model.id)).toContain('first');
  });
});

describe('SIGHUP', () => {
  it('reloads the config file of a running `switchboard serve` instead of killing it', async () => {
    writeConfig([modelEntry('first', { model: 'fast-upstream' })]);
    const serve = await startServeProcess(configPath);
    try {
      writeConfig([modelEntry('first', { model: 'fast-upstream' }), modelEntry('added', { model: 'fast-upstream' })]);
      serve.child.kill('SIGHUP');
      const client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'none', maxRetries: 0 });
      let names: string[] = [];
      for (let attempt = 0; attempt < 40 && !names.includes('added'); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        names = (await client.models.list()).data.map((model) => model.id);
      }
      expect(names).toContain('added');
      expect(serve.child.exitCode).toBeNull();
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  }, 30_000);
});
