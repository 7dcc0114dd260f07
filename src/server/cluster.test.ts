import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { healthy } from '../testing/faults.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Served {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** `switchboard serve` from source, resolving once the banner (and with workers, the worker list) is out. */
async function serve(configPath: string, extraArgs: string[]): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'serve', '--config', configPath, ...extraArgs], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const waitFor = extraArgs.includes('--workers') ? /Workers: \d+/ : /listening on/;
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (http:\/\/[^\s/]+)/.exec(output);
      if (match && waitFor.test(output)) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`switchboard exited with ${code} before listening:\n${output}`)));
  });
  return { child, url, output: () => output, exited };
}

/** One request on its own connection, so the cluster's round robin spreads them over workers. */
function post(url: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const outgoing = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (response) => {
      let received = '';
      response.on('data', (chunk: Buffer) => (received += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: received }));
    });
    outgoing.on('error', reject);
    outgoing.end(text);
  });
}

function getJson(url: string): Promise<any> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent: false }, (response) => {
      let received = '';
      response.on('data', (chunk: Buffer) => (received += chunk));
      response.on('end', () => resolve(JSON.parse(received)));
    })
      .on('error', reject)
      .end();
  });
}

describe('serve --workers', () => {
  let upstream: FakeUpstream;
  let directory: string;
  let configPath: string;
  let databasePath: string;

  beforeAll(async () => {
    upstream = await FakeUpstream.start(healthy);
    directory = mkdtempSync(join(tmpdir(), 'switchboard-cluster-'));
    databasePath = join(directory, 'log.db');
    configPath = join(directory, 'switchboard.yaml');
    // A long flush interval: records stay in each worker's buffer until shutdown flushes them.
    writeFileSync(
      configPath,
      [
        'server: { port: 0 }',
        `storage: { url: "sqlite://${databasePath}", flush_interval_ms: 600000 }`,
        'logging: { level: warn }',
        'models:',
        '  - name: gpt-4o-mini',
        '    provider: openai-compatible',
        `    base_url: ${upstream.url}/v1`,
        '    api_key: sk-test',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await upstream.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('serves from every worker, and loses no request-log record across SIGTERM and a restart', async () => {
    const cluster = await serve(configPath, ['--workers', '2']);
    try {
      const pids = new Set<number>();
      for (let index = 0; index < 8; index++) pids.add((await getJson(`${cluster.url}/api/metrics`)).pid);
      expect(pids.size).toBe(2);

      const requests = 60;
      const results = await Promise.all(
        Array.from({ length: requests }, (_, index) =>
          post(`${cluster.url}/v1/chat/completions`, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello ${index}` }], stream: index % 3 === 0 }),
        ),
      );
      expect(results.map((result) => result.status)).toEqual(Array(requests).fill(200));

      cluster.child.kill('SIGTERM');
      expect(await cluster.exited).toBe(0);

      const database = new Database(databasePath, { readonly: true });
      expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(database.prepare("SELECT COUNT(*) AS count FROM request_log WHERE endpoint = '/v1/chat/completions'").get()).toEqual({ count: requests });
      database.close();

      // A restarted gateway (one process this time) reports the same totals.
      const single = await serve(configPath, []);
      try {
        const spend = await getJson(`${single.url}/api/spend?group_by=model`);
        const row = spend.data.find((entry: { group: string }) => entry.group === 'gpt-4o-mini');
        expect(row?.requests).toBe(requests);
      } finally {
        single.child.kill('SIGTERM');
        expect(await single.exited).toBe(0);
      }
    } finally {
      if (cluster.child.exitCode === null) cluster.child.kill('SIGKILL');
    }
  }, 90_000);

  it('refuses a worker count that is not a whole number', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'serve', '--config', configPath, '--workers', 'two'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('--workers');
  }, 30_000);
});
