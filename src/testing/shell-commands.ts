/**
 * Running shell commands as a user at a terminal would, for tests of the docs' examples: with a
 * newcomer's environment, to their end or (a server) until it says where it listens, and stopped
 * the way a supervisor stops a process. Linux only (process trees are read from /proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';

/**
 * The environment of a newcomer's shell: no provider keys (the quick start must not need
 * them), no admin or client key, no config path from this machine.
 */
export function newcomerEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(SWITCHBOARD_|OPENAI_|ANTHROPIC_|GEMINI_|OTEL_)/.test(name)) continue;
    environment[name] = value;
  }
  // npx must find this checkout's own `switchboard` and never fetch a package of that name.
  environment.npm_config_offline = 'true';
  return { ...environment, ...extra };
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Finished> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? newcomerEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** npx runs the CLI in a child of its own: signal the whole group, as a terminal's Ctrl-C would. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

export interface Served {
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts a long-running command (`switchboard serve …`) and resolves once it says where it listens. */
export async function serve(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Served> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? newcomerEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`\`${command} ${args.join(' ')}\` did not say where it listens within 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (http:\/\/[^\s/]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then((code) => reject(new Error(`\`${command} ${args.join(' ')}\` exited with ${code} before listening:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    stop() {
      // Stop the gateway itself, not npx: npm neither forwards SIGTERM nor passes on the exit
      // code of a child it was killed alongside, and the code is what a supervisor sees.
      const leaves = leafProcesses(child.pid!);
      for (const pid of leaves) process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 30_000);
      return exited.finally(() => clearTimeout(timer));
    },
  };
}

/** The processes at the bottom of `pid`'s tree (npx → sh → node: the node), read from Linux's /proc. */
function leafProcesses(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [pid];
  }
  return children.length === 0 ? [pid] : children.flatMap(leafProcesses);
}

export function freePort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, server })));
}
