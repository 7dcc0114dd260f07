/**
 * Runs the real `switchboard` CLI as a child process, from source through tsx so it is never a
 * stale build: `serve` until it prints the address it listens on, or any command to its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(REPO_ROOT, 'src/cli/main.ts');
// Resolved here, not by the child: a child started in another directory would not find it.
const TSX_LOADER = pathToFileURL(createRequire(join(REPO_ROOT, 'package.json')).resolve('tsx')).href;

export interface CliOptions {
  /** Working directory; the repository root by default. */
  cwd?: string;
  /** The whole environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which then ends (interactive commands driven by a test). */
  input?: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Sends SIGTERM and waits for the exit code. */
  stop(): Promise<number | null>;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnCli(args: string[], options: CliOptions): ChildProcess {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN, ...args], { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? process.env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (options.input !== undefined) child.stdin!.end(options.input);
  return child;
}

/** Runs `switchboard ARGS…` to its end. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** `switchboard serve --config FILE` (or `serve ARGS…`), resolved once it listens. */
export async function startServeProcess(configPathOrArgs: string | string[], options: CliOptions = {}): Promise<CliProcess> {
  const args = typeof configPathOrArgs === 'string' ? ['--config', configPathOrArgs] : configPathOrArgs;
  const child = spawnCli(['serve', ...args], options);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  let stdout = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      stdout += chunk;
      const match = /listening on (http:\/\/[^\s/]+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`switchboard exited with ${code} before listening:\n${output}`)));
  });
  return {
    child,
    url,
    stdout: () => stdout,
    exited,
    stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
