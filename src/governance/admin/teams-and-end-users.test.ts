/**
 * Teams and end users through the admin API: created, listed with their spend, changed and
 * deleted over HTTP; enforced by admission like config entries; audited; config entries kept
 * read-only; stored in SQLite and, shared between instances, in PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUpstream } from '../../testing/fake-upstream.js';
import { ADMIN_KEY, adminRequest, clientFor, createKey, pricedModels, startSpendingUpstream, tryChat } from '../../testing/governance-test-helpers.js';
import { dropPostgresSchema, sharedServicesFor, TEST_POSTGRES_URL } from '../../testing/shared-services.js';
import { startTestGateway, type TestGateway } from '../../testing/test-gateway.js';
import { loadConfigFile } from '../../config/load-config.js';
import { createGateway } from '../../server/gateway.js';

let upstream: FakeUpstream;
let test: TestGateway;

beforeAll(async () => {
  upstream = await startSpendingUpstream();
  test = await startTestGateway({
    admin_key: ADMIN_KEY,
    models: pricedModels(upstream.url),
    governance: { teams: { search: { budget_usd: 100 } }, end_users: { users: { 'config-user': { rpm: 100 } } } },
  });
});
afterAll(async () => {
  await test?.close();
  await upstream?.close();
});

describe('teams through /api/teams', () => {
  it('creates a team whose budget admission enforces on its keys, and lists it with its spend', async () => {
    const created = await adminRequest(test.url, 'POST', '/api/teams', { name: 'research', budget_usd: 0.001, budget_period: 'day' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ object: 'team', name: 'research', source: 'api', budget_usd: 0.001, budget_period: 'day' });

    const { key } = await createKey(test.url, { name: 'research-app', team: 'research' });
    const client = clientFor(test.url, key);
    const results = [];
    for (let index = 0; index < 10; index++) results.push(await tryChat(client, 'gpt-4o', 15));
    const refused = results.filter((result) => !result.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(refused[0]!.message).toMatch(/team 'research'.*daily budget of \$0\.0010/);

    await test.gateway.logWriter.flush();
    const listed = await adminRequest(test.url, 'GET', '/api/teams');
    const research = listed.body.data.find((team: { name: string }) => team.name === 'research');
    expect(research.usage.cost_usd).toBeGreaterThan(0);
    expect(research.usage.cost_usd).toBeLessThanOrEqual(0.001);
    expect(research.usage.window_end - research.usage.window_start).toBe(86_400_000);
  });

  it('raises a budget, removes it with null, and deletes the team, each taking effect at once', async () => {
    await adminRequest(test.url, 'POST', '/api/teams', { name: 'growth', budget_usd: 0.0001 });
    const { key } = await createKey(test.url, { name: 'growth-app', team: 'growth' });
    const client = clientFor(test.url, key);
    expect(await tryChat(client, 'gpt-4o', 15)).toMatchObject({ ok: false, code: 'budget_exceeded' });

    const raised = await adminRequest(test.url, 'POST', '/api/teams/update', { name: 'growth', budget_usd: 5, rpm: 1 });
    expect(raised.body).toMatchObject({ name: 'growth', budget_usd: 5, rpm: 1 });
    expect(await tryChat(client, 'gpt-4o', 15)).toMatchObject({ ok: true });
    expect(await tryChat(client, 'gpt-4o', 15)).toMatchObject({ ok: false, status: 429, code: 'rate_limit_exceeded' });

    const unlimited = await adminRequest(test.url, 'POST', '/api/teams/update', { name: 'growth', rpm: null });
    expect(unlimited.body.rpm).toBeUndefined();
    expect(await tryChat(client, 'gpt-4o', 15)).toMatchObject({ ok: true });

    await adminRequest(test.url, 'POST', '/api/teams/update', { name: 'growth', budget_usd: 0.0001 });
    expect(await tryChat(client, 'gpt-4o', 15)).toMatchObject({ ok: false, code: 'budget_exceeded' });
    expect((await adminRequest(test.url, 'POST', '/api/teams/delete', { name: 'growth' })).body).toEqual({ object: 'team', name: 'growth', deleted: true });
    expect(await tryChat(client, 'gpt-4o', 15)).toMatchObject({ ok: true });
    expect((await adminRequest(test.url, 'GET', '/api/teams/info?name=growth')).status).toBe(404);
  });

  it('lists config teams as read-only and refuses to create, change or delete them (409)', async () => {
    const listed = (await adminRequest(test.url, 'GET', '/api/teams')).body.data;
    expect(listed.find((team: { name: string }) => team.name === 'search')).toMatchObject({ source: 'config', budget_usd: 100, created_at: null });
    for (const [path, body] of [
      ['/api/teams', { name: 'search', budget_usd: 1 }],
      ['/api/teams/update', { name: 'search', budget_usd: 1 }],
      ['/api/teams/delete', { name: 'search' }],
    ] as const) {
      const response = await adminRequest(test.url, 'POST', path, body);
      expect(response.status).toBe(409);
      expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'defined_in_config' });
      expect(response.body.error.message).toMatch(/governance\.teams/);
    }
  });

  it('answers mistakes with an OpenAI-style error naming the field', async () => {
    await adminRequest(test.url, 'POST', '/api/teams', { name: 'twice' });
    const again = await adminRequest(test.url, 'POST', '/api/teams', { name: 'twice' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_exists');
    const invalid = await adminRequest(test.url, 'POST', '/api/teams', { name: 'bad', budget_usd: -1 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatchObject({ param: 'budget_usd', code: 'invalid_value' });
    const unknown = await adminRequest(test.url, 'POST', '/api/teams/update', { name: 'nobody', budget_usd: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/No team 'nobody'/);
    const anonymous = await fetch(`${test.url}/api/teams`);
    expect(anonymous.status).toBe(401);
  });

  it('records every change in the audit log with the limits before and after', async () => {
    await adminRequest(test.url, 'POST', '/api/teams', { name: 'audited', budget_usd: 1 });
    await adminRequest(test.url, 'POST', '/api/teams/update', { name: 'audited', budget_usd: 2 });
    await adminRequest(test.url, 'POST', '/api/teams/delete', { name: 'audited' });
    const entries = (await adminRequest(test.url, 'GET', '/api/audit?target=audited')).body.data;
    expect(entries.map((entry: { action: string }) => entry.action)).toEqual(['team.delete', 'team.update', 'team.create']);
    expect(entries[1]).toMatchObject({ actor: 'admin', before: { budget_usd: 1 }, after: { budget_usd: 2 } });
    expect((await adminRequest(test.url, 'GET', '/api/audit?action=team.delete&target=audited')).body.data[0].before).toMatchObject({ budget_usd: 2 });
  });
});

describe('end users through /api/end-users', () => {
  it("limits an end user by the requests' user field, leaving other users alone", async () => {
    const created = await adminRequest(test.url, 'POST', '/api/end-users', { name: 'alice', rpm: 1 });
    expect(created.body).toMatchObject({ object: 'end_user', name: 'alice', source: 'api', rpm: 1 });
    const client = clientFor(test.url, ADMIN_KEY);
    expect(await tryChat(client, 'gpt-4o-mini', 5, { user: 'alice' })).toMatchObject({ ok: true });
    const limited = await tryChat(client, 'gpt-4o-mini', 5, { user: 'alice' });
    expect(limited).toMatchObject({ ok: false, status: 429, code: 'rate_limit_exceeded' });
    expect(limited.ok ? '' : limited.message).toMatch(/end user 'alice'/);
    expect(await tryChat(client, 'gpt-4o-mini', 5, { user: 'bob' })).toMatchObject({ ok: true });

    await test.gateway.logWriter.flush();
    const listed = (await adminRequest(test.url, 'GET', '/api/end-users')).body.data;
    expect(listed.map((user: { name: string; source: string }) => `${user.name}:${user.source}`)).toEqual(['alice:api', 'config-user:config']);
    expect(listed[0].usage.cost_usd).toBeGreaterThan(0);
    const audit = (await adminRequest(test.url, 'GET', '/api/audit?action=end_user.create')).body.data;
    expect(audit[0]).toMatchObject({ target: 'alice', after: { rpm: 1 } });
  });
});

describe('a reloaded config that takes over a name the API created', () => {
  it('applies the config\'s limits and lists the config entry, then the stored one again once the config lets go', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-teams-reload-'));
    const configPath = join(directory, 'switchboard.yaml');
    const writeConfig = (teams: Record<string, unknown>) =>
      writeFileSync(configPath, JSON.stringify({ admin_key: ADMIN_KEY, storage: { url: `sqlite://${join(directory, 'log.db')}`, flush_interval_ms: 20 }, server: { drain_idle_grace_ms: 0 }, models: pricedModels(upstream.url), governance: { teams } }));
    writeConfig({});
    const gateway = await createGateway({ config: loadConfigFile(configPath).config, logger: pino({ level: 'silent' }), configDirectory: directory, reloadConfig: () => loadConfigFile(configPath).config });
    const url = `http://127.0.0.1:${(await gateway.listen(0, '127.0.0.1')).port}`;
    try {
      await adminRequest(url, 'POST', '/api/teams', { name: 'ops', budget_usd: 0.0001 });
      const { key } = await createKey(url, { name: 'ops-app', team: 'ops' });
      const client = clientFor(url, key);
      expect(await tryChat(client, 'gpt-4o', 15)).toMatchObject({ ok: false, code: 'budget_exceeded' });

      writeConfig({ ops: { budget_usd: 50 } });
      expect((await adminRequest(url, 'POST', '/api/config/reload', {})).status).toBe(200);
      expect(await tryChat(client, 'gpt-4o', 15)).toMatchObject({ ok: true });
      expect((await adminRequest(url, 'GET', '/api/teams')).body.data).toEqual([expect.objectContaining({ name: 'ops', source: 'config', budget_usd: 50 })]);

      writeConfig({});
      expect((await adminRequest(url, 'POST', '/api/config/reload', {})).status).toBe(200);
      expect((await adminRequest(url, 'GET', '/api/teams')).body.data).toEqual([expect.objectContaining({ name: 'ops', source: 'api', budget_usd: 0.0001 })]);
      expect(await tryChat(client, 'gpt-4o', 15)).toMatchObject({ ok: false, code: 'budget_exceeded' });
    } finally {
      await gateway.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

const services = await sharedServicesFor('teams in PostgreSQL');

describe.skipIf(!services.available)('teams and end users in PostgreSQL, shared by two instances', () => {
  const schema = `switchboard_test_${randomBytes(4).toString('hex')}`;
  const instances: TestGateway[] = [];
  beforeAll(async () => {
    for (let index = 0; index < 2; index++) {
      instances.push(
        await startTestGateway({
          admin_key: ADMIN_KEY,
          models: pricedModels(upstream.url),
          storage: { url: `${TEST_POSTGRES_URL}?schema=${schema}`, flush_interval_ms: 20 },
          governance: { key_cache_ms: 0 },
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
    await dropPostgresSchema(schema);
  });

  it('enforces on one instance a team created on the other, and lists it on both', async () => {
    const [first, second] = instances as [TestGateway, TestGateway];
    expect((await adminRequest(first.url, 'POST', '/api/teams', { name: 'shared', budget_usd: 0.0001 })).status).toBe(200);
    expect((await adminRequest(first.url, 'POST', '/api/end-users', { name: 'carol', rpm: 5 })).status).toBe(200);
    const { key } = await createKey(first.url, { name: 'shared-app', team: 'shared' });
    expect(await tryChat(clientFor(second.url, key), 'gpt-4o', 15)).toMatchObject({ ok: false, code: 'budget_exceeded' });
    expect((await adminRequest(second.url, 'GET', '/api/teams')).body.data.map((team: { name: string }) => team.name)).toEqual(['shared']);
    expect((await adminRequest(second.url, 'GET', '/api/end-users/info?name=carol')).body).toMatchObject({ name: 'carol', rpm: 5, source: 'api' });
    await adminRequest(second.url, 'POST', '/api/teams/delete', { name: 'shared' });
    expect(await tryChat(clientFor(first.url, key), 'gpt-4o', 15)).toMatchObject({ ok: true });
  });
});
