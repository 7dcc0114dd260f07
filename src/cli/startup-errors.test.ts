/**
 * A newcomer's mistakes, made against the real CLI: each ends in exactly one `error:` line on
 * stderr that names the cause and the fix, exit code 2, and no stack trace.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../testing/cli-process.js';

let directory: string;
let configCount = 0;

/** Writes a config whose storage is in the test directory, and returns its path. */
function config(...lines: string[]): string {
  const path = join(directory, `switchboard-${++configCount}.yaml`);
  writeFileSync(path, [`storage: { url: "sqlite://${join(directory, 'log.db')}" }`, ...lines, ''].join('\n'));
  return path;
}

/** The environment without anything a developer's shell may hold that would change the outcome. */
function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment = { ...process.env, ...extra };
  for (const variable of ['SWITCHBOARD_ADMIN_KEY', 'SWITCHBOARD_CONFIG', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY']) delete environment[variable];
  return { ...environment, ...extra };
}

function expectOneLineError(result: CliResult, line: string | RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  if (typeof line === 'string') expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).toBe('');
}

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'switchboard-mistakes-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

const MODELS = ['models:', '  - { name: gpt-4o-mini, provider: openai, api_key: sk-a }', '  - { name: gpt-4o, provider: openai, api_key: sk-a }'];

describe('switchboard serve: one line and exit 2 for a mistake', () => {
  it('a route that names a model that does not exist', async () => {
    const path = config(...MODELS, 'routes:', '  - name: auto', '    strategy: learned', '    weak: gpt-4o-mini', '    strong: smarty', '    threshold: 0.5');
    expectOneLineError(
      await runCli(['serve', '--config', path], { env: cleanEnvironment() }),
      `error: ${path}:9 routes[0].strong: 'smarty' is not a configured model; add it under \`models:\` or use one of gpt-4o-mini, gpt-4o`,
    );
  });

  describe('a port that is already in use', () => {
    let occupied: Server;
    let port: number;
    beforeAll(async () => {
      occupied = createServer();
      await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
      port = (occupied.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => occupied.close(() => resolve())));

    it('names the port and suggests --port', async () => {
      const path = config(...MODELS);
      const expected = `error: port ${port} on 127.0.0.1 is already in use (another switchboard?); stop that process, or choose another port with --port ${port + 1}`;
      expectOneLineError(await runCli(['serve', '--config', path, '--port', String(port)], { env: cleanEnvironment() }), expected);
      expectOneLineError(await runCli(['serve', '--config', path, '--port', String(port), '--workers', '2'], { env: cleanEnvironment() }), expected);
    });
  });

  it('an unset ${VAR} where a value is required, named with its line', async () => {
    const path = config(...MODELS, '  - name: claude', '    provider: anthropic', '    api_key: ${TEST_UNSET_ANTHROPIC_KEY}');
    expectOneLineError(
      await runCli(['serve', '--config', path], { env: cleanEnvironment() }),
      `error: ${path}:7 models[2].api_key: \${TEST_UNSET_ANTHROPIC_KEY} is not set; set TEST_UNSET_ANTHROPIC_KEY, or write \${TEST_UNSET_ANTHROPIC_KEY:-} to allow an empty value`,
    );
    const adminKey = config('admin_key: ${SWITCHBOARD_ADMIN_KEY}', ...MODELS);
    expectOneLineError(await runCli(['serve', '--config', adminKey], { env: cleanEnvironment() }), /^error: .*:2 admin_key: \$\{SWITCHBOARD_ADMIN_KEY\} is not set; set SWITCHBOARD_ADMIN_KEY/);
  });

  it('a YAML error, at the line that is wrong', async () => {
    const path = config('server:', '  port: 4100', '    host: 0.0.0.0');
    expectOneLineError(await runCli(['serve', '--config', path], { env: cleanEnvironment() }), `error: ${path}:4: invalid YAML: this line is indented further than the key above it (or that key is missing a value)`);
  });

  it('an unknown key, at its own line, with the nearest valid key', async () => {
    const path = config('models:', '  - name: llama', '    provider: openai-compatible', '    base_ur: http://127.0.0.1:11434/v1');
    expectOneLineError(await runCli(['serve', '--config', path], { env: cleanEnvironment() }), `error: ${path}:5 models[0].base_ur: unknown key; did you mean \`base_url\`?`);
  });

  it('a config file that does not exist', async () => {
    expectOneLineError(await runCli(['serve', '--config', join(directory, 'missing.yaml')], { env: cleanEnvironment() }), `error: config file not found: ${join(directory, 'missing.yaml')} (check the --config path)`);
  });
});

describe('maintenance commands read only the storage section', () => {
  it('keys list and spend work with admin_key: ${SWITCHBOARD_ADMIN_KEY} unset, as docs/governance.md says', async () => {
    const path = config('admin_key: ${SWITCHBOARD_ADMIN_KEY}', ...MODELS);
    const keys = await runCli(['keys', 'list', '--config', path], { env: cleanEnvironment() });
    expect(keys).toMatchObject({ code: 0, stderr: '' });
    expect(keys.stdout).toContain('No keys yet');
    const spend = await runCli(['spend', '--config', path], { env: cleanEnvironment() });
    expect(spend).toMatchObject({ code: 0, stderr: '' });
    expect(spend.stdout).toMatch(/^model\s+requests/);
  });

  it('but name an unset variable in storage.url, which they need', async () => {
    const path = join(directory, 'storage-from-env.yaml');
    writeFileSync(path, 'storage: { url: "${TEST_UNSET_DATABASE_URL}" }\n');
    expectOneLineError(
      await runCli(['keys', 'list', '--config', path], { env: cleanEnvironment() }),
      `error: ${path}:1 storage.url: \${TEST_UNSET_DATABASE_URL} is not set; set TEST_UNSET_DATABASE_URL, or write \${TEST_UNSET_DATABASE_URL:-} to allow an empty value`,
    );
  });
});
