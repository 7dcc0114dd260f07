/**
 * Every code block of README.md, run as a newcomer would run it. The quick start's
 * `npx switchboard serve --simulate` starts the gateway (on a free port: the only rewrite is
 * `127.0.0.1:4100` to the port it got), then each example runs against it in document order:
 * JavaScript with the real `openai` package under node, Python with the real `openai` package
 * (skipped, saying so, where python3 has none), config files through `switchboard serve`, the
 * defaults block against the schema's defaults, and the startup error lines by making each
 * mistake. A block no runner knows fails the test, unless a `<!-- readme-test: skip REASON -->`
 * note above it gives the reason.
 *
 * The CLI runs from the build (`dist/`), as `npx switchboard` does: `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConfigText, validateConfig } from './config/load-config.js';
import { codeBlocks, type CodeBlock } from './testing/markdown-code-blocks.js';
import { freePort, newcomerEnvironment, run, serve, type Finished, type Served } from './testing/shell-commands.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const BLOCKS = codeBlocks(README);
/** The address the README's examples use, and the port the quick start serves on. */
const README_ADDRESS = '127.0.0.1:4100';

/** What each note above a block may say; anything else is a mistake in the README. */
const DIRECTIVES = ['skip', 'file', 'continues', 'startup-errors', 'defaults'] as const;
type Directive = (typeof DIRECTIVES)[number];

function directive(block: CodeBlock): { name: Directive | undefined; rest: string } {
  if (block.note === undefined) return { name: undefined, rest: '' };
  const [name = '', ...rest] = block.note.split(/\s+/);
  if (!(DIRECTIVES as readonly string[]).includes(name)) throw new Error(`README.md:${block.line}: unknown readme-test note '${name}' (known: ${DIRECTIVES.join(', ')})`);
  return { name: name as Directive, rest: rest.join(' ') };
}

/** The newest modification time of the TypeScript sources the CLI is built from (test helpers aside). */
function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'testing') newest = Math.max(newest, newestSource(path));
    }
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const pythonHasOpenAI = spawnSync('python3', ['-c', 'import openai'], { stdio: 'ignore' }).status === 0;

/** The block that the first example (without a `continues` note) of this language is. */
function firstOf(language: string): CodeBlock {
  return BLOCKS.find((block) => block.language === language && directive(block).name !== 'continues')!;
}

let workDirectory: string;
let gateway: Served | undefined;

beforeAll(async () => {
  const built = join(REPO_ROOT, 'dist/cli/main.js');
  let builtAt = 0;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    throw new Error('dist/cli/main.js is missing: the README runs `npx switchboard`, which runs the build; run `npm run build` first');
  }
  if (newestSource(join(REPO_ROOT, 'src')) > builtAt) throw new Error('dist/ is older than src/: the README runs `npx switchboard`, which runs the build; run `npm run build` first');
  // Inside the checkout (ignored by git), so `npx switchboard` finds this package's own CLI.
  mkdirSync(join(REPO_ROOT, '.switchboard'), { recursive: true });
  workDirectory = mkdtempSync(join(REPO_ROOT, '.switchboard', 'readme-test-'));
  // npx's first run in a checkout links it into npm's cache, reading the whole dependency tree
  // (close to a minute on a busy 2-core machine); paid here, so the quick start's timing is its own.
  const first = await run('npx', ['switchboard', '--version'], { cwd: workDirectory, timeoutMs: 280_000 });
  expect(first.code, `npx switchboard --version failed:\n${first.stderr}`).toBe(0);
}, 300_000);

afterAll(async () => {
  try {
    if (gateway) expect(await gateway.stop(), `the quick-start gateway exits 0 on SIGTERM:\n${gateway.output()}`).toBe(0);
  } finally {
    if (workDirectory) rmSync(workDirectory, { recursive: true, force: true });
  }
});

describe('README.md', () => {
  it('has a runner, or a reason to skip, for every code block', () => {
    expect(BLOCKS.length).toBeGreaterThan(5);
    for (const block of BLOCKS) {
      const { name, rest } = directive(block);
      if (name === 'skip') expect(rest, `README.md:${block.line}: a skipped block must say why`).not.toBe('');
      else if (name === undefined) expect(['sh', 'js', 'python', 'yaml'], `README.md:${block.line}: no runner for \`${block.language || '(no language)'}\` blocks`).toContain(block.language);
    }
  });

  for (const block of BLOCKS) {
    const { name, rest } = directive(block);
    const title = `README.md:${block.line} ${block.language || 'output'}${block.note ? ` (${block.note})` : ''}`;
    if (name === 'skip') {
      it.skip(`${title}: skipped, ${rest}`, () => {});
    } else if (name === 'file') {
      it(`${title}: is written where the examples run`, () => {
        if (block.language === 'jsonl') for (const line of block.code.trimEnd().split('\n')) expect(() => JSON.parse(line), `README.md:${block.line}: ${line}`).not.toThrow();
        writeFileSync(join(workDirectory, rest), block.code);
      });
    } else if (name === 'startup-errors') {
      it(`${title}: each line is what the mistake prints, with exit code 2`, () => runStartupErrors(block), 120_000);
    } else if (name === 'defaults') {
      it(`${title}: loads, and says the defaults the schema has`, () => runDefaults(block));
    } else if (block.language === 'sh') {
      it(`${title}: runs`, () => runShell(block), 120_000);
    } else if (block.language === 'js') {
      it(`${title}: runs under node with the openai package against the quick-start gateway`, () => runJavaScript(block), 120_000);
    } else if (block.language === 'python') {
      if (pythonHasOpenAI) it(`${title}: runs under python3 with the openai package against the quick-start gateway`, () => runPython(block), 60_000);
      else it.skip(`${title}: skipped, python3 with the openai package is not installed here (pip install openai)`, () => {});
    } else if (block.language === 'yaml') {
      it(`${title}: is a config \`switchboard serve\` starts with`, () => runConfig(block), 120_000);
    }
  }
});

/** Runs each command of a shell block, `npx switchboard serve` staying up for the examples below. */
async function runShell(block: CodeBlock): Promise<void> {
  const ciScript = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8');
  for (const line of block.code.split('\n')) {
    const commandLine = line.replace(/#.*$/, '').trim();
    if (commandLine === '') continue;
    for (const command of commandLine.split('&&').map((part) => part.trim())) {
      // This test runs inside a checkout that was installed and is being tested: CI runs these two
      // on a fresh clone (.ci/run), and must run exactly what the README says.
      if (command === 'npm ci' || command === 'npm test') {
        expect(ciScript.split('\n'), `README.md:${block.line}: .ci/run must run \`${command}\` as the README does`).toContain(command);
        continue;
      }
      const [program, ...args] = command.split(/\s+/);
      if (program === 'npx' && args[0] === 'switchboard' && args[1] === 'serve') {
        expect(gateway, `README.md:${block.line}: a second gateway`).toBeUndefined();
        // The one rewrite: a free port rather than 4100, which may be taken on this machine.
        gateway = await serve(program, [...args, '--port', '0'], { cwd: workDirectory });
        continue;
      }
      throw new Error(`README.md:${block.line}: no runner for the command \`${command}\``);
    }
  }
}

function quickStartUrl(block: CodeBlock): string {
  if (!gateway) throw new Error(`README.md:${block.line}: the quick start above did not start a gateway`);
  return gateway.url;
}

/** The block's code with the README's address pointed at the running gateway. */
function pointedAtGateway(block: CodeBlock, code = block.code): string {
  const url = quickStartUrl(block);
  expect(code, `README.md:${block.line}: the example must call the quick-start gateway at ${README_ADDRESS}`).toContain(`http://${README_ADDRESS}`);
  return code.replaceAll(`http://${README_ADDRESS}`, url);
}

function expectRanCleanly(block: CodeBlock, result: Finished): void {
  expect(result.code, `README.md:${block.line} failed:\n${result.stderr}${result.stdout}`).toBe(0);
  expect(result.stdout.trim(), `README.md:${block.line} prints nothing`).not.toBe('');
}

async function runJavaScript(block: CodeBlock): Promise<void> {
  // A block that continues an earlier one runs after it, in one module, as a reader's file would.
  const code = directive(block).name === 'continues' ? firstOf('js').code + block.code : block.code;
  const file = join(workDirectory, `readme-${block.line}.mjs`);
  writeFileSync(file, pointedAtGateway(block, code));
  const result = await run(process.execPath, [file], { cwd: workDirectory, timeoutMs: 110_000 });
  expectRanCleanly(block, result);
  if (code.includes('client.batches.create')) {
    const lines = result.stdout.trim().split('\n').filter((line) => line.startsWith('{"id":"batch_req_'));
    expect(lines.map((line) => (JSON.parse(line) as { response: { status_code: number } }).response.status_code)).toEqual(lines.map(() => 200));
    expect(lines.length).toBeGreaterThan(0);
  }
}

async function runPython(block: CodeBlock): Promise<void> {
  const file = join(workDirectory, `readme-${block.line}.py`);
  writeFileSync(file, pointedAtGateway(block));
  expectRanCleanly(block, await run('python3', [file], { cwd: workDirectory }));
}

/** Provider keys the config names, set to placeholders: loading must not need a real one. */
const PLACEHOLDER_KEYS = { OPENAI_API_KEY: 'sk-readme-placeholder', ANTHROPIC_API_KEY: 'sk-ant-readme-placeholder' };

async function runConfig(block: CodeBlock): Promise<void> {
  const directory = mkdtempSync(join(workDirectory, 'config-'));
  writeFileSync(join(directory, 'switchboard.yaml'), block.code);
  const served = await serve('npx', ['switchboard', 'serve', '--port', '0'], { cwd: directory, env: newcomerEnvironment(PLACEHOLDER_KEYS) });
  try {
    const models = (await (await fetch(`${served.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    const configured = (parseYaml(block.code) as { models?: Array<{ name: string }>; routes?: Array<{ name: string }> }) ?? {};
    const names = [...(configured.models ?? []), ...(configured.routes ?? [])].map((entry) => entry.name);
    expect(models.data.map((model) => model.id)).toEqual(expect.arrayContaining(names));
  } finally {
    expect(await served.stop(), `README.md:${block.line}: the gateway exits 0 on SIGTERM:\n${served.output()}`).toBe(0);
  }
}

function runDefaults(block: CodeBlock): void {
  parseConfigText(block.code, 'README.md');
  const defaults = validateConfig({}, 'defaults') as unknown as Record<string, Record<string, unknown>>;
  const shown = parseYaml(block.code) as Record<string, Record<string, unknown>>;
  for (const [section, values] of Object.entries(shown)) {
    for (const [key, value] of Object.entries(values)) expect(defaults[section]?.[key], `README.md:${block.line}: the default of ${section}.${key}`).toEqual(value);
  }
}

/** Makes each mistake the block lists and compares what `switchboard serve` prints. */
async function runStartupErrors(block: CodeBlock): Promise<void> {
  const lines = block.code.trimEnd().split('\n');
  for (const line of lines) {
    const unknownKey = /^error: switchboard\.yaml:(\d+) models\[\d+\]\.(\w+): unknown key; /.exec(line);
    const portInUse = /^error: port (\d+) on 127\.0\.0\.1 is already in use/.exec(line);
    if (unknownKey) {
      // The README's own config, with the misspelt key inserted at the line the error names.
      const config = BLOCKS.find((candidate) => candidate.language === 'yaml' && candidate.line > block.line && directive(candidate).name === undefined)!;
      const configLines = config.code.split('\n');
      configLines.splice(Number(unknownKey[1]) - 1, 0, `    ${unknownKey[2]}: https://api.openai.com/v1`);
      const directory = mkdtempSync(join(workDirectory, 'mistake-'));
      writeFileSync(join(directory, 'switchboard.yaml'), configLines.join('\n'));
      const result = await run('npx', ['switchboard', 'serve'], { cwd: directory, env: newcomerEnvironment(PLACEHOLDER_KEYS) });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: `${line}\n` });
    } else if (portInUse) {
      const taken = await freePort();
      try {
        const readmePort = Number(portInUse[1]);
        // The one rewrite: the README's port (and the next one it suggests) to a port taken here.
        const expected = line.replaceAll(String(readmePort + 1), String(taken.port + 1)).replaceAll(String(readmePort), String(taken.port));
        const result = await run('npx', ['switchboard', 'serve', '--simulate', '--port', String(taken.port)], { cwd: workDirectory });
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: `${expected}\n` });
      } finally {
        taken.server.close();
      }
    } else {
      throw new Error(`README.md:${block.line}: no way to provoke \`${line}\``);
    }
  }
}
