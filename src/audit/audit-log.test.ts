/**
 * The audit log on both backends: rows chain, secrets are hashed, the table refuses UPDATE and
 * DELETE, and an edit made directly in the database (trigger dropped first, as someone with
 * database access could) is caught by `switchboard audit verify`, which names the row.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../cli/program.js';
import { dropPostgresSchema, sharedServicesFor, TEST_POSTGRES_URL } from '../testing/shared-services.js';
import { canonicalJson, entryHash, GENESIS_HASH, hashSecrets } from './audit-entry.js';
import type { AuditLog } from './audit-log.js';
import { openAuditLog } from './open-audit-log.js';

const services = await sharedServicesFor('audit tests on PostgreSQL');

const directory = mkdtempSync(join(tmpdir(), 'switchboard-audit-'));
const schema = `switchboard_audit_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  if (services.available) await dropPostgresSchema(schema);
});

/** Runs `switchboard audit verify` in-process; returns what it printed and its exit code. */
function auditVerify(storageUrl: string): Promise<{ output: string; exitCode: number }> {
  return runCli(storageUrl, ['audit', 'verify']);
}

async function runCli(storageUrl: string, args: string[]): Promise<{ output: string; exitCode: number }> {
  const configPath = join(directory, `config-${randomBytes(3).toString('hex')}.yaml`);
  writeFileSync(configPath, `storage: { url: "${storageUrl}" }\n`);
  const output: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  });
  const previousExitCode = process.exitCode;
  try {
    const program = buildProgram();
    program.exitOverride();
    await program.parseAsync(['node', 'switchboard', ...args, '--config', configPath]);
    return { output: output.join(''), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = previousExitCode;
    spy.mockRestore();
  }
}

interface Backend {
  name: string;
  url: string;
  available: boolean;
  /** Runs SQL on the audit table behind the gateway's back. */
  tamper(sql: string): Promise<void>;
  dropGuard: string;
}

const backends: Backend[] = [
  {
    name: 'SQLite',
    url: `sqlite://${join(directory, 'audit.db')}`,
    available: true,
    async tamper(sql) {
      const database = new Database(join(directory, 'audit.db'));
      try {
        database.exec(sql);
      } finally {
        database.close();
      }
    },
    dropGuard: 'DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;',
  },
  {
    name: 'PostgreSQL',
    url: `${TEST_POSTGRES_URL}?schema=${schema}`,
    available: services.available,
    async tamper(sql) {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
    dropGuard: 'ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;',
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.available)(`audit log on ${backend.name}`, () => {
    let log: AuditLog;
    beforeAll(async () => {
      log = await openAuditLog(backend.url);
      await log.record('key.create', { actor: 'admin', address: '127.0.0.1', target: 'key_a', after: { name: 'team-a', rpm: 10 }, at: 1_700_000_000_000 });
      await log.record('key.update', { actor: 'admin', address: '127.0.0.1', target: 'key_a', before: { name: 'team-a', rpm: 10 }, after: { name: 'team-a', rpm: 20 }, at: 1_700_000_001_000 });
      await log.record('config.reload', { actor: 'cli:ops', address: 'local', before: { api_key: 'sk-old-secret' }, after: { api_key: 'sk-new-secret' }, at: 1_700_000_002_000 });
      await log.record('key.revoke', { actor: 'admin', address: '10.0.0.9', target: 'key_a', before: { revoked_at: null }, after: { revoked_at: 1_700_000_003_000 }, at: 1_700_000_003_000 });
    });
    afterAll(async () => {
      await log?.close();
    });

    it('chains each row to the one before, from the genesis hash', async () => {
      const rows = (await log.list()).reverse();
      expect(rows.map((row) => [row.id, row.action])).toEqual([[1, 'key.create'], [2, 'key.update'], [3, 'config.reload'], [4, 'key.revoke']]);
      expect(rows[0]!.previous_hash).toBe(GENESIS_HASH);
      for (let index = 1; index < rows.length; index++) expect(rows[index]!.previous_hash).toBe(rows[index - 1]!.hash);
      for (const row of rows) expect(row.hash).toBe(entryHash(row));
      expect(await log.verify()).toEqual({ ok: true, rows: 4 });
    });

    it('stores secrets only as their SHA-256', async () => {
      const [reload] = await log.list({ action: 'config.reload' });
      expect(reload!.before).toBe(canonicalJson(hashSecrets({ api_key: 'sk-old-secret' })));
      expect(JSON.parse(reload!.after!).api_key).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(`${reload!.before}${reload!.after}`).not.toContain('secret');
    });

    it('filters by action and target and pages backwards by id', async () => {
      expect((await log.list({ target: 'key_a' })).map((row) => row.action)).toEqual(['key.revoke', 'key.update', 'key.create']);
      expect((await log.list({ limit: 2 })).map((row) => row.id)).toEqual([4, 3]);
      expect((await log.list({ limit: 2, beforeId: 3 })).map((row) => row.id)).toEqual([2, 1]);
    });

    it('refuses UPDATE and DELETE on the table', async () => {
      await expect(backend.tamper("UPDATE audit_log SET actor = 'someone-else' WHERE id = 2")).rejects.toThrow(/append-only/);
      await expect(backend.tamper('DELETE FROM audit_log WHERE id = 2')).rejects.toThrow(/append-only/);
    });

    it('has `audit verify` pass an intact chain with exit code 0', async () => {
      expect(await auditVerify(backend.url)).toEqual({ output: 'Audit chain intact: 4 rows.\n', exitCode: 0 });
    });

    it('has `audit verify` name a row edited directly in the database, with exit code 1', async () => {
      await backend.tamper(`${backend.dropGuard} UPDATE audit_log SET after = '{"name":"team-a","rpm":20000}' WHERE id = 2;`);
      const result = await auditVerify(backend.url);
      expect(result.exitCode).toBe(1);
      expect(result.output).toBe('Audit chain broken at row 2 (key.update): its content does not match its hash (the row was edited). The 1 row before it is intact.\n');
    });

    it('names the row after one that was deleted', async () => {
      // Opening the store (the CLI above did) puts the guard back, so it is dropped again.
      await backend.tamper(`${backend.dropGuard} DELETE FROM audit_log WHERE id = 2;`);
      const result = await log.verify();
      expect(result).toEqual({ ok: false, rows: 1, broken: { id: 2, action: null, reason: 'row 2 is missing (the next row is 3)' } });
    });
  });
}

describe('audit of the keys CLI', () => {
  it('records `keys create` and `keys revoke` as done by the OS user, locally', async () => {
    const storageUrl = `sqlite://${join(directory, 'cli.db')}`;
    const created = JSON.parse((await runCli(storageUrl, ['keys', 'create', '--name', 'from-cli', '--json'])).output) as { id: string; key: string };
    await runCli(storageUrl, ['keys', 'revoke', created.id]);
    const rows = JSON.parse((await runCli(storageUrl, ['audit', 'list', '--json'])).output) as Array<{ action: string; actor: string; address: string; target: string; after: string }>;
    expect(rows.map((row) => [row.action, row.target, row.address])).toEqual([['key.revoke', created.id, 'local'], ['key.create', created.id, 'local']]);
    expect(rows[0]!.actor).toMatch(/^cli:/);
    expect(JSON.stringify(rows)).not.toContain(created.key);
    expect(await auditVerify(storageUrl)).toEqual({ output: 'Audit chain intact: 2 rows.\n', exitCode: 0 });
  });
});

describe('canonical content', () => {
  it('sorts keys at every level and drops undefined, so equal states hash equally', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('hashes values of credential fields wherever they are, and leaves the rest', () => {
    const hashed = hashSecrets({ name: 'openai', api_key: 'sk-1', headers: { authorization_token: 'abc' }, key_hint: 'sk-sb-ab…cd', deployments: [{ secret: 's' }] }) as Record<string, any>;
    expect(hashed.name).toBe('openai');
    expect(hashed.key_hint).toBe('sk-sb-ab…cd');
    expect(hashed.api_key).toMatch(/^sha256:/);
    expect(hashed.headers.authorization_token).toMatch(/^sha256:/);
    expect(hashed.deployments[0].secret).toMatch(/^sha256:/);
  });
});
