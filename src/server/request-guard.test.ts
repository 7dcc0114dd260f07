/**
 * A gateway with no admin key is reachable from any web page the user opens: these are the
 * checks that keep a page from spending through it (issue 12, finding 9).
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';
import { validateConfig } from '../config/load-config.js';
import { createGateway } from './gateway.js';
import pino from 'pino';

let upstream: FakeUpstream;
let open: TestGateway;
let withCors: TestGateway;

beforeAll(async () => {
  upstream = await FakeUpstream.start(() => openAICompletion());
  const models = [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream' }];
  open = await startTestGateway({ models });
  withCors = await startTestGateway({ models, server: { cors_origins: ['https://app.example.com'] } });
});
afterAll(async () => {
  await open?.close();
  await withCors?.close();
  await upstream?.close();
});

/** A raw request, so Host, Origin and Content-Type are exactly what a browser page would send. */
function send(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const outgoing = httpRequest({ host: target.hostname, port: target.port, method: options.method ?? 'POST', path: options.path, headers: options.headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? JSON.parse(text) : undefined }));
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const keyBody = JSON.stringify({ name: 'from-a-web-page', budget_usd: 1_000_000 });
const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

describe('requests a web page could make', () => {
  it('refuses a cross-origin text/plain POST that would create a key on a gateway without an admin key', async () => {
    const response = await send(open.url, { path: '/api/keys', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, body: keyBody });
    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({ code: 'origin_not_allowed', type: 'permission_error' });
    expect((await open.gateway.governance.keys.list({ includeRevoked: true })).length).toBe(0);
  });

  it('refuses a paid completion from another origin', async () => {
    const before = upstream.requests.length;
    const response = await send(open.url, { path: '/v1/chat/completions', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: chatBody });
    expect(response.status).toBe(403);
    expect(upstream.requests.length).toBe(before);
  });

  it('refuses a DNS-rebinding request whose Host names another site', async () => {
    const response = await send(open.url, { path: '/v1/chat/completions', headers: { host: 'rebind.evil.example', 'content-type': 'application/json' }, body: chatBody });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('host_not_allowed');
  });

  it('answers 415 to a JSON endpoint called without application/json', async () => {
    const response = await send(open.url, { path: '/v1/chat/completions', headers: { 'content-type': 'text/plain' }, body: chatBody });
    expect(response.status).toBe(415);
    expect(response.body.error).toMatchObject({ code: 'unsupported_media_type', type: 'invalid_request_error' });
    expect(response.body.error.message).toContain('Content-Type: application/json');
  });

  it('serves same-origin requests (the dashboard) and the official clients', async () => {
    const origin = open.url;
    const sameOrigin = await send(open.url, { path: '/v1/chat/completions', headers: { origin, 'content-type': 'application/json' }, body: chatBody });
    expect(sameOrigin.status).toBe(200);
    const completion = await open.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]!.message.content).toBeTruthy();
  });

  it('answers a CORS preflight and adds CORS headers for a configured origin only', async () => {
    const preflight = await send(withCors.url, { method: 'OPTIONS', path: '/v1/chat/completions', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const allowed = await send(withCors.url, { path: '/v1/chat/completions', headers: { origin: 'https://app.example.com', 'content-type': 'application/json' }, body: chatBody });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await send(withCors.url, { path: '/v1/chat/completions', headers: { origin: 'https://other.example', 'content-type': 'application/json' }, body: chatBody });
    expect(other.status).toBe(403);
  });
});

describe('binding', () => {
  it('refuses to listen on a non-loopback address without an admin key, unless insecure', async () => {
    const logger = pino({ level: 'silent' });
    const storage = { url: 'sqlite::memory:' };
    const refused = await createGateway({ config: validateConfig({ storage }, 'test'), logger });
    await expect(refused.listen(0, '0.0.0.0')).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without an admin key.*--insecure/);
    await refused.close();
    const insecure = await createGateway({ config: validateConfig({ storage, server: { insecure: true } }, 'test'), logger });
    await expect(insecure.listen(0, '0.0.0.0')).resolves.toMatchObject({ address: '0.0.0.0' });
    await insecure.close();
    const keyed = await createGateway({ config: validateConfig({ storage, admin_key: 'an-admin-key-of-enough-length' }, 'test'), logger });
    await expect(keyed.listen(0, '0.0.0.0')).resolves.toMatchObject({ address: '0.0.0.0' });
    await keyed.close();
  });
});
