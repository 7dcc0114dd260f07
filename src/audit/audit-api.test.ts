/**
 * Key changes through the admin API land in the audit log, and GET /api/audit shows them to the
 * admin only, with who, from where, before and after, and never the key's secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, adminRequest, createKey, pricedModels, startSpendingUpstream } from '../testing/governance-test-helpers.js';
import type { FakeUpstream } from '../testing/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

let upstream: FakeUpstream;
let test: TestGateway;

beforeAll(async () => {
  upstream = await startSpendingUpstream();
  test = await startTestGateway({ admin_key: ADMIN_KEY, models: pricedModels(upstream.url) });
});
afterAll(async () => {
  await test?.close();
  await upstream?.close();
});

describe('audit of key changes', () => {
  it('records create, update and revoke with actor, address, before and after, and lists them newest first', async () => {
    const { id, key } = await createKey(test.url, { name: 'team-a', rpm: 10 });
    expect((await adminRequest(test.url, 'POST', '/api/keys/update', { id, rpm: 20 })).status).toBe(200);
    expect((await adminRequest(test.url, 'POST', '/api/keys/revoke', { id })).status).toBe(200);

    const response = await adminRequest(test.url, 'GET', `/api/audit?target=${id}`);
    expect(response.status).toBe(200);
    const rows = response.body.data;
    expect(rows.map((row: { action: string }) => row.action)).toEqual(['key.revoke', 'key.update', 'key.create']);
    for (const row of rows) expect(row).toMatchObject({ object: 'audit_entry', actor: 'admin', address: '127.0.0.1', target: id, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const [revoke, update, create] = rows;
    expect(create.before).toBeNull();
    expect(create.after).toMatchObject({ id, name: 'team-a', rpm: 10, revoked_at: null });
    expect(update.before.rpm).toBe(10);
    expect(update.after.rpm).toBe(20);
    expect(revoke.before.revoked_at).toBeNull();
    expect(revoke.after.revoked_at).toEqual(expect.any(Number));
    expect(update.previous_hash).toBe(create.hash);
    expect(revoke.previous_hash).toBe(update.hash);
    // Neither the secret nor its hash is in the log.
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(JSON.stringify(rows)).not.toContain('key_hash');
    expect((await test.gateway.governance.audit.verify()).ok).toBe(true);
  });

  it('pages with limit and before', async () => {
    await createKey(test.url, { name: 'paging-1' });
    await createKey(test.url, { name: 'paging-2' });
    const first = await adminRequest(test.url, 'GET', '/api/audit?limit=1');
    expect(first.body.data).toHaveLength(1);
    expect(first.body.has_more).toBe(true);
    const second = await adminRequest(test.url, 'GET', `/api/audit?limit=1&before=${first.body.next_before}`);
    expect(second.body.data[0].id).toBe(first.body.data[0].id - 1);
    const bad = await adminRequest(test.url, 'GET', '/api/audit?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ param: 'limit', code: 'invalid_value' });
  });

  it('is for the admin only: a virtual key gets 403 and no key gets 401', async () => {
    const { key } = await createKey(test.url, { name: 'not-admin' });
    expect((await adminRequest(test.url, 'GET', '/api/audit', undefined, key)).status).toBe(403);
    expect((await fetch(`${test.url}/api/audit`)).status).toBe(401);
  });
});
