/**
 * Deploying a retrained router without a restart: POST /api/routes/{name}/reload (and a config
 * reload, which is what SIGHUP runs) swaps the router file in; the decision log and headers name
 * the router version that decided; a request that has decided finishes as decided; a file that
 * fails to load is refused with its reason while the old router serves; swaps are audited.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../config/load-config.js';
import type { RoutingRow } from '../routing/evaluation/routing-dataset.js';
import { serialiseRouterFile } from '../routing/learned/router-file.js';
import { trainRouter } from '../routing/learned/train-router.js';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { startServeProcess } from '../testing/cli-process.js';
import { createGateway, type Gateway } from './gateway.js';

const ADMIN = 'sb-admin-route-reload-0123456789';

/** A router trained on rows whose labels all say the same: it sends everything one way. */
function routerSending(to: 'weak' | 'strong'): string {
  const rows: RoutingRow[] = Array.from({ length: 30 }, (_, index) => ({
    id: `r${index}`,
    task: 'chat',
    prompt: `Question number ${index} about ${index % 2 ? 'cooking' : 'travel'} and other things`,
    scores: { small: to === 'weak' ? 1 : 0, large: 0.5 },
  }));
  return serialiseRouterFile(trainRouter(rows, { weak: 'small', strong: 'large' }));
}

let upstream: FakeUpstream;
let directory: string;
let gateway: Gateway;
let url: string;
let client: OpenAI;
let release: (() => void) | undefined;

async function admin(method: string, path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  upstream = await FakeUpstream.start(async (request) => {
    if (request.body.messages.at(-1).content === 'hold') await new Promise<void>((resolve) => (release = resolve));
    return openAICompletion({ model: request.body.model });
  });
  directory = mkdtempSync(join(tmpdir(), 'switchboard-route-reload-'));
  writeFileSync(join(directory, 'router.json'), routerSending('weak'));
  const configPath = join(directory, 'switchboard.json');
  const model = (name: string) => ({ name, provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream' });
  writeFileSync(
    configPath,
    JSON.stringify({
      admin_key: ADMIN,
      storage: { url: `sqlite://${join(directory, 'switchboard.db')}`, flush_interval_ms: 20 },
      server: { drain_idle_grace_ms: 0 },
      models: [model('small'), model('large')],
      routes: [{ name: 'auto', strategy: 'learned', weak: 'small', strong: 'large', router: 'router.json', threshold: 0.5 }],
    }),
  );
  gateway = await createGateway({ config: loadConfigFile(configPath).config, logger: pino({ level: 'silent' }), configDirectory: directory, reloadConfig: () => loadConfigFile(configPath).config });
  url = `http://127.0.0.1:${(await gateway.listen(0, '127.0.0.1')).port}`;
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: ADMIN, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  rmSync(directory, { recursive: true, force: true });
});

async function ask(content = 'Where should I travel this summer?') {
  const { response } = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content }] }).withResponse();
  return { model: response.headers.get('x-switchboard-model'), version: response.headers.get('x-switchboard-router-version'), id: response.headers.get('x-request-id')! };
}

async function record(id: string) {
  await gateway.logWriter.flush();
  return (await gateway.store.find(id))!;
}

describe('router hot reload', () => {
  it('swaps the router file in, names the version that decided, and lets a decided request finish as decided', async () => {
    const first = await ask();
    expect(first.model).toBe('small');
    expect(first.version).toMatch(/^[0-9a-f]{12}$/);
    expect((await record(first.id)).route_reason).toContain(`router ${first.version} `);

    // A request decided by the first router, held at the upstream while the router is swapped.
    const held = ask('hold');
    while (!release) await new Promise((resolve) => setTimeout(resolve, 10));
    writeFileSync(join(directory, 'router.json'), routerSending('strong'));
    const reloaded = await admin('POST', '/api/routes/auto/reload');
    expect(reloaded.status).toBe(200);
    expect(reloaded.body).toMatchObject({ object: 'route.reload', route: 'auto', status: 'reloaded', previous_version: first.version });
    const secondVersion = reloaded.body.router_version;
    expect(secondVersion).not.toBe(first.version);
    release();
    const finished = await held;
    expect(finished).toMatchObject({ model: 'small', version: first.version });

    const next = await ask();
    expect(next).toMatchObject({ model: 'large', version: secondVersion });
    expect((await record(next.id)).route_reason).toContain(`router ${secondVersion} `);

    const unchanged = await admin('POST', '/api/routes/auto/reload');
    expect(unchanged.body).toMatchObject({ status: 'unchanged', router_version: secondVersion });
    expect((await admin('GET', '/api/routes')).body.data).toEqual([expect.objectContaining({ name: 'auto', router_version: secondVersion, shadow_sample: null })]);
  });

  it('refuses a file that does not load, says why, and keeps the old router serving', async () => {
    const before = await ask();
    writeFileSync(join(directory, 'router.json'), '{"format": "something else"');
    const refused = await admin('POST', '/api/routes/auto/reload');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_router', type: 'invalid_request_error' });
    expect(refused.body.error.message).toMatch(/router .* keeps serving.*not valid JSON/);
    expect(await ask()).toMatchObject({ model: before.model, version: before.version });
    expect((await admin('POST', '/api/routes/nowhere/reload')).status).toBe(404);
  });

  it('audits every swap and refusal, also a config reload that brings a new router (what SIGHUP runs)', async () => {
    writeFileSync(join(directory, 'router.json'), routerSending('weak'));
    const reloaded = await admin('POST', '/api/config/reload');
    expect(reloaded.status).toBe(200);
    expect((await ask()).model).toBe('small');
    const swaps = (await admin('GET', '/api/audit?action=route.router_swap')).body.data;
    expect(swaps).toHaveLength(2);
    expect(swaps.every((entry: any) => entry.target === 'auto' && entry.actor === 'admin')).toBe(true);
    expect(swaps[0].before.router_version).toBe(swaps[1].after.router_version);
    const refusals = (await admin('GET', '/api/audit?action=route.router_swap_refused')).body.data;
    expect(refusals).toHaveLength(1);
    expect(refusals[0].after.reason).toMatch(/not valid JSON/);
  });
});

describe('SIGHUP', () => {
  it('swaps in a retrained router file in a running `switchboard serve`, audited as the signal', async () => {
    const serveDirectory = mkdtempSync(join(tmpdir(), 'switchboard-router-sighup-'));
    const routerPath = join(serveDirectory, 'router.json');
    writeFileSync(routerPath, routerSending('weak'));
    const configPath = join(serveDirectory, 'switchboard.json');
    const model = (name: string) => ({ name, provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream' });
    writeFileSync(
      configPath,
      JSON.stringify({
        admin_key: ADMIN,
        logging: { level: 'warn' },
        storage: { url: `sqlite://${join(serveDirectory, 'switchboard.db')}`, flush_interval_ms: 20 },
        server: { port: 0, drain_idle_grace_ms: 0 },
        models: [model('small'), model('large')],
        routes: [{ name: 'auto', strategy: 'learned', weak: 'small', strong: 'large', router: routerPath, threshold: 0.5 }],
      }),
    );
    const serve = await startServeProcess(configPath);
    try {
      const served = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: ADMIN, maxRetries: 0 });
      const modelOf = async () => (await served.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Where to travel?' }] }).withResponse()).response.headers.get('x-switchboard-model');
      expect(await modelOf()).toBe('small');
      writeFileSync(routerPath, routerSending('strong'));
      serve.child.kill('SIGHUP');
      let model = 'small';
      for (let attempt = 0; attempt < 40 && model !== 'large'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        model = (await modelOf())!;
      }
      expect(model).toBe('large');
      const audit = await fetch(`${serve.url}/api/audit?action=route.router_swap`, { headers: { authorization: `Bearer ${ADMIN}` } });
      const entries = ((await audit.json()) as any).data;
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ actor: 'signal:SIGHUP', target: 'auto' });
    } finally {
      expect(await serve.stop()).toBe(0);
      rmSync(serveDirectory, { recursive: true, force: true });
    }
  }, 60_000);
});
