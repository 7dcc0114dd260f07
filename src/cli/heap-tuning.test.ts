/**
 * `switchboard serve` relaunches itself with a fixed 32 MB young generation
 * (`--min-semi-space-size=32 --max-semi-space-size=32`): checked on the real CLI
 * process (the serving process's own command line in /proc and its startup line), with the
 * opt-outs, and that killing the relaunching parent outright leaves no orphan serving.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { startServeProcess, type CliProcess } from '../testing/cli-process.js';
import { heapTuningFlags, semiSpaceDescription } from './heap-tuning.js';

const SERVE = ['node', 'main.js', 'serve'];

describe('heapTuningFlags', () => {
  it('asks for fixed 32 MB semi-spaces for serve, and nothing for other commands', () => {
    expect(heapTuningFlags(SERVE, [], {})).toEqual(['--min-semi-space-size=32', '--max-semi-space-size=32']);
    expect(heapTuningFlags(['node', 'main.js', 'keys', 'list'], [], {})).toBeUndefined();
    expect(heapTuningFlags(['node', 'main.js', 'serve', '--help'], [], {})).toBeUndefined();
  });

  it('is turned off by SWITCHBOARD_SEMI_SPACE_MB=off or 0, or --no-heap-tuning, and sized by a number', () => {
    expect(heapTuningFlags(SERVE, [], { SWITCHBOARD_SEMI_SPACE_MB: 'off' })).toBeUndefined();
    expect(heapTuningFlags(SERVE, [], { SWITCHBOARD_SEMI_SPACE_MB: '0' })).toBeUndefined();
    expect(heapTuningFlags([...SERVE, '--no-heap-tuning'], [], {})).toBeUndefined();
    expect(heapTuningFlags(SERVE, [], { SWITCHBOARD_SEMI_SPACE_MB: '16' })).toEqual(['--min-semi-space-size=16', '--max-semi-space-size=16']);
    expect(() => heapTuningFlags(SERVE, [], { SWITCHBOARD_SEMI_SPACE_MB: 'lots' })).toThrow(/SWITCHBOARD_SEMI_SPACE_MB/);
  });

  it('leaves a size the operator gave Node alone, and never relaunches twice', () => {
    expect(heapTuningFlags(SERVE, ['--max-semi-space-size=8'], {})).toBeUndefined();
    expect(heapTuningFlags(SERVE, [], { NODE_OPTIONS: '--max-semi-space-size=8' })).toBeUndefined();
    expect(heapTuningFlags(SERVE, ['--min-semi-space-size=4'], {})).toBeUndefined();
    expect(heapTuningFlags(SERVE, [], { SWITCHBOARD_HEAP_TUNED: '1' })).toBeUndefined();
  });

  it('describes a fixed, a capped and the default young generation for the startup line', () => {
    expect(semiSpaceDescription(['--min-semi-space-size=32', '--max-semi-space-size=32'], {})).toBe('32 MB semi-spaces, fixed (--min-semi-space-size=32 --max-semi-space-size=32)');
    expect(semiSpaceDescription([], { NODE_OPTIONS: '--max-semi-space-size=64' })).toBe('semi-spaces of at most 64 MB (--max-semi-space-size=64)');
    expect(semiSpaceDescription([], {})).toBe("Node's default semi-spaces (heap tuning off)");
  });
});

/** The processes started by `pid` (Linux /proc), with their command lines. */
function childrenOf(pid: number): Array<{ pid: number; commandLine: string[] }> {
  const children: Array<{ pid: number; commandLine: string[] }> = [];
  const taskDirectory = `/proc/${pid}/task`;
  if (!existsSync(taskDirectory)) return children;
  for (const task of readFileSync(`${taskDirectory}/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
    const childPid = Number(task);
    children.push({ pid: childPid, commandLine: readFileSync(`/proc/${childPid}/cmdline`, 'utf8').split('\0').filter(Boolean) });
  }
  return children;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

describe.skipIf(process.platform !== 'linux')('switchboard serve heap tuning', () => {
  let upstream: FakeUpstream;
  let directory: string;
  let configPath: string;
  const started: CliProcess[] = [];

  beforeAll(async () => {
    upstream = await FakeUpstream.start(() => openAICompletion({ content: 'hello' }));
    directory = mkdtempSync(join(tmpdir(), 'switchboard-heap-'));
    configPath = join(directory, 'switchboard.yaml');
    writeFileSync(
      configPath,
      JSON.stringify({
        server: { port: 0 },
        storage: { url: `sqlite://${join(directory, 'switchboard.db')}` },
        logging: { level: 'warn' },
        models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream' }],
      }),
    );
  });

  afterAll(async () => {
    for (const cli of started) if (cli.child.exitCode === null) await cli.stop();
    await upstream.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const serve = async (env: NodeJS.ProcessEnv = {}, args: string[] = []) => {
    const cli = await startServeProcess(['--config', configPath, ...args], { env: { ...process.env, SWITCHBOARD_SEMI_SPACE_MB: undefined, ...env } });
    started.push(cli);
    return cli;
  };

  it('serves from a child running with a fixed 32 MB young generation, says so, and stops with it on SIGTERM', async () => {
    const cli = await serve();
    expect(cli.stdout()).toContain('Node heap: 32 MB semi-spaces, fixed (--min-semi-space-size=32 --max-semi-space-size=32)');
    const [server] = childrenOf(cli.child.pid!);
    expect(server?.commandLine).toEqual(expect.arrayContaining(['--min-semi-space-size=32', '--max-semi-space-size=32']));
    const client = new OpenAI({ baseURL: `${cli.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('hello');
    expect(await cli.stop()).toBe(0);
    expect(alive(server!.pid)).toBe(false);
  }, 60_000);

  it('passes the flag to every worker under --workers', async () => {
    const cli = await serve({}, ['--workers', '2']);
    // The primary takes signals once every worker is up, and says so.
    const deadline = Date.now() + 30_000;
    while (!cli.stdout().includes('Workers: 2') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const [primary] = childrenOf(cli.child.pid!);
    expect(primary?.commandLine).toEqual(expect.arrayContaining(['--min-semi-space-size=32', '--max-semi-space-size=32']));
    const workers = childrenOf(primary!.pid).filter((child) => child.commandLine.includes('serve'));
    expect(workers).toHaveLength(2);
    for (const worker of workers) expect(worker.commandLine).toEqual(expect.arrayContaining(['--min-semi-space-size=32', '--max-semi-space-size=32']));
    expect(await cli.stop()).toBe(0);
  }, 90_000);

  it('runs in the process itself with Node defaults when SWITCHBOARD_SEMI_SPACE_MB=off', async () => {
    const cli = await serve({ SWITCHBOARD_SEMI_SPACE_MB: 'off' });
    expect(cli.stdout()).toContain("Node heap: Node's default semi-spaces (heap tuning off)");
    expect(childrenOf(cli.child.pid!).filter((child) => child.commandLine.some((part) => part.includes('main.ts')))).toEqual([]);
    expect(await cli.stop()).toBe(0);
  }, 60_000);

  it('leaves no server behind when the relaunching parent is killed outright', async () => {
    const cli = await serve();
    const [server] = childrenOf(cli.child.pid!);
    expect(server).toBeDefined();
    cli.child.kill('SIGKILL');
    await cli.exited;
    const deadline = Date.now() + 10_000;
    while (alive(server!.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive(server!.pid)).toBe(false);
  }, 60_000);
});
