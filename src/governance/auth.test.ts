import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUpstream } from '../testing/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';
import { ADMIN_KEY, adminRequest, clientFor, createKey, pricedModels, startSpendingUpstream, tryChat } from '../testing/governance-test-helpers.js';

let upstream: FakeUpstream;
let test: TestGateway;

beforeAll(async () => {
  upstream = await startSpendingUpstream();
  test = await startTestGateway({ admin_key: ADMIN_KEY, models: pricedModels(upstream.url), governance: { key_cache_ms: 60_000 } });
});
afterAll(async () => {
  await test?.close();
  await upstream?.close();
});

describe('admin key', () => {
  it('refuses an admin endpoint with a wrong admin key (401), with no key (401) and with a virtual key (403)', async () => {
    const wrong = await adminRequest(test.url, 'GET', '/api/keys', undefined, 'not-the-admin-key');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    const none = await fetch(`${test.url}/api/spend`);
    expect(none.status).toBe(401);
    const { key } = await createKey(test.url, { name: 'not-admin' });
    const virtual = await adminRequest(test.url, 'GET', '/api/keys', undefined, key);
    expect(virtual.status).toBe(403);
    expect(virtual.body.error.code).toBe('admin_key_required');
    expect((await adminRequest(test.url, 'GET', '/api/keys')).status).toBe(200);
  });

  it('answers /v1 without a key, or with an unknown one, with 401 in OpenAI error shape once an admin key is set', async () => {
    const response = await fetch(`${test.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { message: expect.any(String), type: 'authentication_error', param: null, code: 'invalid_api_key' } });
    const unknown = await tryChat(clientFor(test.url, 'sk-unknown'), 'gpt-4o-mini', 5);
    expect(unknown.status).toBe(401);
    expect((await fetch(`${test.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${test.url}/health`)).status).toBe(200);
  });

  it('lets the admin key and a virtual key call /v1', async () => {
    expect((await tryChat(clientFor(test.url, ADMIN_KEY), 'gpt-4o-mini', 5)).ok).toBe(true);
    const { key } = await createKey(test.url, { name: 'caller' });
    expect((await tryChat(clientFor(test.url, key), 'gpt-4o-mini', 5)).ok).toBe(true);
  });
});

describe('virtual keys', () => {
  it('returns 403 for a model outside the key scope and serves the models in it', async () => {
    const { key } = await createKey(test.url, { name: 'mini-only', models: ['gpt-4o-mini'] });
    const refused = await tryChat(clientFor(test.url, key), 'gpt-4o', 5);
    expect(refused.status).toBe(403);
    expect(refused.code).toBe('model_not_allowed');
    expect(refused.message).toMatch(/may use: gpt-4o-mini/);
    expect((await tryChat(clientFor(test.url, key), 'gpt-4o-mini', 5)).ok).toBe(true);
  });

  it('answers 401 for a revoked key, even one cached a moment ago', async () => {
    const { id, key } = await createKey(test.url, { name: 'short-lived' });
    expect((await tryChat(clientFor(test.url, key), 'gpt-4o-mini', 5)).ok).toBe(true);
    expect((await adminRequest(test.url, 'POST', '/api/keys/revoke', { id })).status).toBe(200);
    const revoked = await tryChat(clientFor(test.url, key), 'gpt-4o-mini', 5);
    expect(revoked.status).toBe(401);
    expect(revoked.message).toMatch(/revoked/);
  });

  it('shows the secret once and stores only its hash', async () => {
    const created = await adminRequest(test.url, 'POST', '/api/keys', { name: 'hashed', budget_usd: 50, budget_period: 'month', rpm: 600, team: 'team-a' });
    expect(created.body.key).toMatch(/^sk-sb-[A-Za-z0-9_-]{43}$/);
    const listed = await adminRequest(test.url, 'GET', '/api/keys');
    const entry = listed.body.data.find((candidate: { id: string }) => candidate.id === created.body.id);
    expect(entry).toMatchObject({ name: 'hashed', budget_usd: 50, budget_period: 'month', rpm: 600, team: 'team-a' });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    const database = new Database(test.databasePath, { readonly: true });
    const rows = JSON.stringify(database.prepare('SELECT * FROM virtual_keys').all());
    database.close();
    expect(rows).not.toContain(created.body.key);
    expect(readFileSync(test.databasePath).includes(Buffer.from(created.body.key))).toBe(false);
  });

  it('updates a key: a new budget applies to the next request', async () => {
    const { id, key } = await createKey(test.url, { name: 'updated' });
    const updated = await adminRequest(test.url, 'POST', '/api/keys/update', { id, budget_usd: 0.0000001 });
    expect(updated.status).toBe(200);
    expect(updated.body.budget_usd).toBe(0.0000001);
    const refused = await tryChat(clientFor(test.url, key), 'gpt-4o', 5);
    expect(refused.code).toBe('budget_exceeded');
  });

  it("removes a key's budget with null (the dashboard's empty budget), so its requests pass again", async () => {
    const { id, key } = await createKey(test.url, { name: 'unbudgeted', budget_usd: 0.0000001, rpm: 100 });
    expect((await tryChat(clientFor(test.url, key), 'gpt-4o', 5)).code).toBe('budget_exceeded');
    const updated = await adminRequest(test.url, 'POST', '/api/keys/update', { id, budget_usd: null });
    expect(updated.status).toBe(200);
    expect(updated.body).not.toHaveProperty('budget_usd');
    expect(updated.body).toMatchObject({ rpm: 100, name: 'unbudgeted' });
    expect(await tryChat(clientFor(test.url, key), 'gpt-4o', 5)).toMatchObject({ ok: true });
  });

  it('rejects an invalid key setting naming the field', async () => {
    const response = await adminRequest(test.url, 'POST', '/api/keys', { name: 'bad', budget_period: 'year' });
    expect(response.status).toBe(400);
    expect(response.body.error.param).toBe('budget_period');
  });
});
