/**
 * `switchboard serve` runs Node with a larger young generation: `--max-semi-space-size=64`
 * (MB per semi-space; Node 20's default is 16). A gateway allocates tens of KB per request that
 * die young; larger semi-spaces mean fewer scavenges. Measured after the promotion fix
 * (docs/performance.md, "Soak"): a JSON request costs 1.10× the bare proxy's CPU with it and
 * 1.24–1.38× without (streams the same either way), at up to ~90 MB more RSS under load. V8
 * grows the semi-spaces only as the allocation rate needs, so an idle gateway stays small; the
 * price is an RSS that steps up and down with that sizing (the soak's drift bound holds at 16 MB,
 * not at 64).
 *
 * V8 sizes the heap when the process starts, so the flag cannot be set from inside: `serve`
 * relaunches itself once with it, as a child that inherits stdio, receives the signals the
 * parent gets (SIGTERM, SIGINT, SIGHUP) and exits with it. Under `--workers` the relaunched
 * primary's flags pass to every worker (node:cluster forks with the primary's execArgv).
 *
 * Turned off by `SWITCHBOARD_SEMI_SPACE_MB=off` (or 0), or `serve --no-heap-tuning`; another
 * number picks another size. A `--max-semi-space-size` already given to Node (on the command
 * line or in NODE_OPTIONS) is left as it is.
 */
import { spawn } from 'node:child_process';
import cluster from 'node:cluster';

export const DEFAULT_SEMI_SPACE_MB = 64;
/** Set in the relaunched child, so it never relaunches again. */
const RELAUNCHED = 'SWITCHBOARD_HEAP_TUNED';
const FLAG = '--max-semi-space-size';

/** The Node flag `serve` should be relaunched with, or undefined when it runs as it is. */
export function heapTuningFlag(argv: readonly string[], execArgv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const args = argv.slice(2);
  if (args[0] !== 'serve' || args.includes('--no-heap-tuning') || args.includes('--help') || args.includes('-h')) return undefined;
  if (env[RELAUNCHED] === '1') return undefined;
  if (execArgv.some((flag) => flag.startsWith(FLAG)) || (env.NODE_OPTIONS ?? '').includes(FLAG)) return undefined;
  const setting = (env.SWITCHBOARD_SEMI_SPACE_MB ?? '').trim().toLowerCase();
  if (setting === 'off' || setting === '0' || setting === 'false') return undefined;
  const megabytes = setting === '' ? DEFAULT_SEMI_SPACE_MB : Number(setting);
  if (!Number.isInteger(megabytes) || megabytes < 1) throw new Error(`SWITCHBOARD_SEMI_SPACE_MB must be a whole number of MB, or off (got '${env.SWITCHBOARD_SEMI_SPACE_MB}')`);
  return `${FLAG}=${megabytes}`;
}

/** The semi-space size this process runs with, for the startup banner: a flag's value, or Node's default. */
export function semiSpaceDescription(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): string {
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].find((flag) => flag.startsWith(`${FLAG}=`));
  return given ? `${given.slice(FLAG.length + 1)} MB semi-spaces (${given})` : "Node's default semi-spaces (heap tuning off)";
}

/**
 * Relaunches this process with the heap flag when `heapTuningFlag` says so, and then stands in
 * for the child until it exits. Returns false when this process should run the command itself.
 */
export function relaunchWithHeapTuning(argv: readonly string[] = process.argv, execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): boolean {
  let flag: string | undefined;
  try {
    flag = heapTuningFlag(argv, execArgv, env);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(2);
  }
  if (!flag) return false;
  // An IPC channel, so the child learns at once if this process is killed outright (SIGKILL):
  // it must not be left serving, orphaned, on the port.
  const child = spawn(process.execPath, [...execArgv, flag, ...argv.slice(1)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: { ...env, [RELAUNCHED]: '1' } });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`error: could not relaunch with ${flag}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
  return true;
}

/** In the relaunched child: exit when the parent that stands in for it is gone. */
export function followRelaunchingParent(): void {
  // A cluster worker's channel is node:cluster's own, which already ends the worker with it.
  if (process.env[RELAUNCHED] !== '1' || !process.channel || cluster.isWorker) return;
  process.channel.unref();
  process.once('disconnect', () => process.exit(1));
}
