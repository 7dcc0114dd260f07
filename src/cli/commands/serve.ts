/**
 * `switchboard serve`: load the config (file, or models derived from provider keys in the
 * environment), start the gateway, shut down gracefully on SIGTERM or SIGINT, and reload the
 * config on SIGHUP. With `--workers N` a primary forks N gateways that share the port
 * (src/server/cluster.ts). A mistake the user can fix (config, port) ends startup with one
 * `error:` line and exit 2; everything else the gateway says goes through its logger.
 */
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { LoadedConfig } from '../../config/load-config.js';
import type { GatewayConfig } from '../../config/schema.js';
import { EARLIER_SIMULATED_NAMES } from '../../config/simulated-config.js';
import { createGateway } from '../../server/gateway.js';
import { announcesStartup, isClusterWorker, runPrimary } from '../../server/cluster.js';
import { enableProcessMetrics } from '../../server/handlers/process-metrics.js';
import { startGatewayMetrics, startPrimaryMetrics } from '../../observability/metrics/serve-metrics.js';
import { describeStorage } from '../../storage/open-store.js';
import { announcer, createLogger } from '../../logging/logger.js';
import { unpricedModelWarnings } from '../../models/unpriced-models.js';
import { parsePort } from '../parse-options.js';
import { semiSpaceDescription } from '../heap-tuning.js';
import { describeStartupError, exitWithInputError, type ListenTarget } from '../startup-errors.js';
import { resolveServeConfig, type ServeConfigOptions } from './serve-config.js';

export { resolveServeConfig } from './serve-config.js';

export interface ServeOptions extends ServeConfigOptions {
  /** Gateway processes sharing the port; 1 runs in this process. */
  workers?: number;
}

/** `--workers`: a positive integer, or `auto` for one per core. */
export function parseWorkers(value: string): number {
  if (value === 'auto') return availableParallelism();
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1) throw new InvalidArgumentError('must be a whole number of processes (1 or more), or auto for one per core');
  return workers;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Start the gateway (default http://127.0.0.1:4100).')
    .option('-c, --config <file>', 'config file (default: ./switchboard.yaml or $SWITCHBOARD_CONFIG)')
    .option('-p, --port <port>', 'port to listen on (default 4100)', parsePort)
    .option('-H, --host <host>', 'host to bind (default 127.0.0.1)')
    .option('--simulate', 'serve simulated gpt-4o-mini, gpt-4o and an auto route (no keys needed; answers are marked simulated)')
    .option('--insecure', 'allow listening on a non-loopback address without an admin key')
    // Read before commander runs, by heap-tuning.ts; declared here so it is accepted and listed.
    .option('--no-heap-tuning', "keep Node's default young generation instead of relaunching with a fixed 32 MB one (or SWITCHBOARD_SEMI_SPACE_MB=off)")
    .option('-w, --workers <n>', 'gateway processes sharing the port: a number, or auto for one per core (default 1)', parseWorkers)
    .action(async (options: ServeOptions) => {
      let loaded: LoadedConfig;
      try {
        loaded = resolveServeConfig(options);
      } catch (error) {
        exitOnInputError(error);
      }
      const listen = { host: loaded.config.server.host, port: loaded.config.server.port };
      // Found before anything starts, so a taken port is the only line printed. (Workers share
      // the port through the primary, which checks it once for all of them.)
      if (!isClusterWorker) await portIsFree(listen).catch((error: unknown) => exitOnInputError(error, listen));
      if ((options.workers ?? 1) > 1 && !isClusterWorker) {
        const logger = createLogger(loaded.config.logging);
        await startPrimaryMetrics(loaded.config, logger, (line) => announcer(logger).info(line)).catch((error: unknown) => exitOnInputError(error, listen));
        await runPrimary({ workers: options.workers!, logger, say: (line) => announcer(logger).info(line) });
        return;
      }
      await serve(loaded, () => resolveServeConfig(options).config).catch((error: unknown) => exitOnInputError(error, listen));
    });
}

function exitOnInputError(error: unknown, listen?: ListenTarget): never {
  const message = describeStartupError(error, listen);
  if (message === undefined) throw error;
  exitWithInputError(message);
}

function portIsFree({ host, port }: ListenTarget): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

async function serve(loaded: LoadedConfig, reloadConfig: () => GatewayConfig): Promise<void> {
  const { config } = loaded;
  const logger = createLogger(config.logging);
  const announce = announcer(logger);
  // Under --workers only the first worker prints the banner; the primary adds the worker list.
  const say = (line: string) => {
    if (announcesStartup()) announce.info(line);
  };
  for (const warning of loaded.warnings) logger.warn(warning);
  enableProcessMetrics();
  const gateway = await createGateway({ config, logger, configDirectory: loaded.path ? dirname(loaded.path) : process.cwd(), reloadConfig });
  for (const warning of unpricedModelWarnings(gateway.registry)) logger.warn(warning);

  // Signal handlers go in before the gateway listens: a signal that arrives while the banner
  // prints (a supervisor that sends SIGTERM as soon as it reads "listening") must not find
  // Node's defaults, which kill the process on the spot, undrained.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, inFlight: gateway.inFlight }, 'shutting down: draining in-flight requests');
    await gateway.close();
    logger.info('request log flushed; bye');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // SIGHUP reloads the config, as nginx and most daemons do.
  process.on('SIGHUP', () => {
    gateway.reload({ actor: 'signal:SIGHUP', address: 'local' }).then(
      () => {
        announce.info('Configuration reloaded (SIGHUP).');
        for (const warning of unpricedModelWarnings(gateway.registry)) logger.warn(warning);
      },
      (error: unknown) => logger.error(`reload refused, the previous configuration keeps serving: ${error instanceof Error ? error.message : String(error)}`),
    );
  });

  const address = await gateway.listen().catch(async (error: unknown) => {
    await gateway.close();
    throw error;
  });
  await startGatewayMetrics(gateway, { worker: isClusterWorker, say });
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  say(`Switchboard listening on ${url}/v1 (config: ${loaded.path ?? 'from environment'}; storage: ${describeStorage(config.storage.url)})`);
  say(`Node heap: ${semiSpaceDescription()}`);
  const models = gateway.registry.all();
  if (models.length === 0) {
    say('No models configured: set OPENAI_API_KEY (or ANTHROPIC_API_KEY / GEMINI_API_KEY), add a model to switchboard.yaml, or run `switchboard serve --simulate` to try it without keys.');
  } else {
    const shown = (name: string) => !EARLIER_SIMULATED_NAMES.has(name);
    const simulated = models.filter((model) => model.simulated && shown(model.name)).map((model) => model.name);
    const real = models.filter((model) => !model.simulated).map((model) => model.name);
    const routes = gateway.routes.names().filter(shown);
    say(
      [real.length ? `Models: ${real.join(', ')}` : '', simulated.length ? `Simulated models: ${simulated.join(', ')}` : '', routes.length ? `routes: ${routes.join(', ')}` : '']
        .filter(Boolean)
        .join('; '),
    );
  }
}
