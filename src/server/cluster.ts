/**
 * `serve --workers N`: a primary process that forks N gateway workers sharing one port through
 * node:cluster, so every core serves requests.
 *
 * - Each worker is a whole gateway with its own request-log writer. They share the SQLite file
 *   in WAL mode with a busy timeout, so concurrent batch writes wait for the lock instead of
 *   failing; a batch that still fails is kept and retried by its writer.
 * - Workers start one after another: the first creates the tables and switches the file to WAL
 *   before the next opens it, so no two race on schema creation.
 * - SIGTERM or SIGINT to the primary is forwarded to every worker; each drains its in-flight
 *   requests and flushes its log, and the primary exits 0 once all have exited cleanly.
 * - SIGHUP is forwarded too: each worker reloads its config.
 * - A worker that dies on its own is replaced after a second.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  say: (line: string) => void;
}

/** True in a process forked by `runPrimary`. */
export const isClusterWorker = cluster.isWorker;

/** Whether this process should print the startup banner (a lone gateway or the first worker). */
export function announcesStartup(): boolean {
  return !cluster.isWorker || cluster.worker?.id === 1;
}

function forkWorker(): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = cluster.fork();
    const onExit = (code: number | null, signal: string | null) => reject(new Error(`worker ${worker.process.pid} exited before listening (${signal ?? `code ${code}`})`));
    worker.once('exit', onExit);
    worker.once('listening', () => {
      worker.off('exit', onExit);
      resolve(worker);
    });
  });
}

export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { logger, say } = options;
  let stopping = false;
  let failedExits = 0;

  for (let index = 0; index < options.workers; index++) {
    try {
      await forkWorker();
    } catch (error) {
      logger.error({ err: error }, 'a worker failed to start; stopping');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      process.exit(1);
    }
  }
  const pids = Object.values(cluster.workers ?? {}).map((worker) => worker?.process.pid);
  say(`Workers: ${options.workers} (pids ${pids.join(', ')}); primary pid ${process.pid}`);

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (code !== 0) failedExits++;
      return;
    }
    logger.warn({ pid: worker.process.pid, code, signal }, 'worker exited unexpectedly; starting a replacement in 1 s');
    setTimeout(() => {
      if (!stopping) forkWorker().catch((error: unknown) => logger.error({ err: error }, 'replacement worker failed to start'));
    }, 1000).unref();
  });

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    logger.info({ signal, workers: workers.length }, 'shutting down: forwarding to workers, which drain and flush their request logs');
    const exited = workers.map((worker) => (worker.isDead() ? Promise.resolve() : new Promise<void>((resolve) => worker.once('exit', () => resolve()))));
    for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGTERM');
    await Promise.all(exited);
    logger.info({ failedExits }, 'all workers stopped; bye');
    logger.flush();
    process.exit(failedExits === 0 ? 0 : 1);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // A reload is each worker's own: forward it, never die of it.
  process.on('SIGHUP', () => {
    for (const worker of Object.values(cluster.workers ?? {})) if (worker && !worker.isDead()) worker.process.kill('SIGHUP');
  });
}
