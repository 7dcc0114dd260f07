/**
 * `switchboard serve` runs Node with a fixed 32 MB young generation: `--min-semi-space-size=32
 * --max-semi-space-size=32` (MB per semi-space; Node 20 starts at 1 and grows to at most 16). A
 * gateway allocates tens of KB per request that die young; larger semi-spaces mean fewer
 * scavenges, so fewer in-flight requests are caught mid-way and copied.
 *
 * Why fixed, and why 32 (docs/performance.md, "the request log's flush, and a fixed young
 * generation"): V8 grows its semi-spaces in steps, as the bytes that survive scavenges add up.
 * At 64 MB growing, the gateway's RSS stepped up by a quarter over a ten-minute soak at
 * 500 req/s (the soak allows ±10%), because it was still growing. Fixed at 32 MB from the start,
 * the same soak drifted +0.2% and +1.1% in two runs at ~200 MB RSS; the CPU of a realistic
 * request was the growing 64 MB's within the runs' noise (JSON −3% to +4%, streams −4% to +7%)
 * and 5–6% under Node's default for JSON. A fixed 64 MB cost 4–8% more CPU than a growing one.
 *
 * V8 sizes the heap when the process starts, so the flags cannot be set from inside: `serve`
 * relaunches itself once with them, as a child that inherits stdio, receives the signals the
 * parent gets (SIGTERM, SIGINT, SIGHUP) and exits with it. Under `--workers` the relaunched
 * primary's flags pass to every worker (node:cluster forks with the primary's execArgv).
 *
 * Turned off by `SWITCHBOARD_SEMI_SPACE_MB=off` (or 0), or `serve --no-heap-tuning`; another
 * number picks another fixed size. A `--min-semi-space-size` or `--max-semi-space-size` already
 * given to Node (on the command line or in NODE_OPTIONS) is left as it is.
 */
import { spawn } from 'node:child_process';
import cluster from 'node:cluster';

export const DEFAULT_SEMI_SPACE_MB = 32;
/** Set in the relaunched child, so it never relaunches again. */
const RELAUNCHED = 'SWITCHBOARD_HEAP_TUNED';
const MAX_FLAG = '--max-semi-space-size';
const MIN_FLAG = '--min-semi-space-size';

/** The Node flags for a young generation fixed at `megabytes` per semi-space. */
export function semiSpaceFlags(megabytes: number = DEFAULT_SEMI_SPACE_MB): string[] {
  return [`${MIN_FLAG}=${megabytes}`, `${MAX_FLAG}=${megabytes}`];
}

const isSemiSpaceFlag = (flag: string) => flag.startsWith(MAX_FLAG) || flag.startsWith(MIN_FLAG);

/** The semi-space flags Node was given, on its command line or in NODE_OPTIONS. */
function givenSemiSpaceFlags(execArgv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  return [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].filter(isSemiSpaceFlag);
}

/** The Node flags `serve` should be relaunched with, or undefined when it runs as it is. */
export function heapTuningFlags(argv: readonly string[], execArgv: readonly string[], env: NodeJS.ProcessEnv): string[] | undefined {
  const args = argv.slice(2);
  if (args[0] !== 'serve' || args.includes('--no-heap-tuning') || args.includes('--help') || args.includes('-h')) return undefined;
  if (env[RELAUNCHED] === '1') return undefined;
  if (givenSemiSpaceFlags(execArgv, env).length > 0) return undefined;
  const setting = (env.SWITCHBOARD_SEMI_SPACE_MB ?? '').trim().toLowerCase();
  if (setting === 'off' || setting === '0' || setting === 'false') return undefined;
  const megabytes = setting === '' ? DEFAULT_SEMI_SPACE_MB : Number(setting);
  if (!Number.isInteger(megabytes) || megabytes < 1) throw new Error(`SWITCHBOARD_SEMI_SPACE_MB must be a whole number of MB, or off (got '${env.SWITCHBOARD_SEMI_SPACE_MB}')`);
  return semiSpaceFlags(megabytes);
}

/** The young generation this process runs with, for the startup banner: from its flags, or Node's default. */
export function semiSpaceDescription(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): string {
  const given = givenSemiSpaceFlags(execArgv, env).filter((flag) => flag.includes('='));
  if (given.length === 0) return "Node's default semi-spaces (heap tuning off)";
  const sizeOf = (name: string) => given.find((flag) => flag.startsWith(`${name}=`))?.slice(name.length + 1);
  const [min, max] = [sizeOf(MIN_FLAG), sizeOf(MAX_FLAG)];
  let size = `semi-spaces of at least ${min} MB`;
  if (min !== undefined && min === max) size = `${min} MB semi-spaces, fixed`;
  else if (max !== undefined) size = `semi-spaces of at most ${max} MB`;
  return `${size} (${given.join(' ')})`;
}

/**
 * Relaunches this process with the heap flags when `heapTuningFlags` says so, and then stands in
 * for the child until it exits. Returns false when this process should run the command itself.
 */
export function relaunchWithHeapTuning(argv: readonly string[] = process.argv, execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): boolean {
  let flags: string[] | undefined;
  try {
    flags = heapTuningFlags(argv, execArgv, env);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(2);
  }
  if (!flags) return false;
  // An IPC channel, so the child learns at once if this process is killed outright (SIGKILL):
  // it must not be left serving, orphaned, on the port.
  const child = spawn(process.execPath, [...execArgv, ...flags, ...argv.slice(1)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: { ...env, [RELAUNCHED]: '1' } });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`error: could not relaunch with ${flags.join(' ')}: ${error.message}\n`);
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
