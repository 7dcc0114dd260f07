/**
 * `switchboard serve`: load the config (file, or models derived from provider keys in the
 * environment), start the gateway, and shut down gracefully on SIGTERM or SIGINT. With
 * `--workers N` a primary forks N gateways that share the port (src/server/cluster.ts).
 */
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError } from '../../config/config-error.js';
import { modelsFromEnvironment } from '../../config/environment-models.js';
import { findConfigPath, loadConfigFile, validateConfig, type LoadedConfig } from '../../config/load-config.js';
import type { GatewayConfig } from '../../config/schema.js';
import { createGateway } from '../../server/gateway.js';
import { announcesStartup, isClusterWorker, runPrimary } from '../../server/cluster.js';
import { enableProcessMetrics } from '../../server/handlers/process-metrics.js';
import { describeStorage } from '../../storage/open-store.js';
import { SIMULATED_MODELS } from '../../providers/simulated/simulated-provider.js';
import { SIMULATED_ROUTES } from '../../routing/simulated-routes.js';
import { createLogger } from '../../logging/logger.js';
import { parsePort } from '../parse-options.js';

export interface ServeOptions {
  config?: string;
  port?: number;
  host?: string;
  simulate?: boolean;
  /** Gateway processes sharing the port; 1 runs in this process. */
  workers?: number;
  /** Listen on a non-loopback address without an admin key. */
  insecure?: boolean;
}

/** `--workers`: a positive integer, or `auto` for one per core. */
export function parseWorkers(value: string): number {
  if (value === 'auto') return availableParallelism();
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1) throw new InvalidArgumentError('must be a whole number of processes (1 or more), or auto for one per core');
  return workers;
}

/** Resolves what `serve` will run with, without starting anything (tested in-process). */
export function resolveServeConfig(options: ServeOptions, environment: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const path = findConfigPath(options.config, environment);
  const loaded: LoadedConfig = path
    ? loadConfigFile(path, environment)
    : { config: validateConfig({ models: modelsFromEnvironment(environment) }, 'environment'), path: undefined, warnings: [] };
  const config: GatewayConfig = structuredClone(loaded.config);
  if (options.port !== undefined) config.server.port = options.port;
  if (options.host !== undefined) config.server.host = options.host;
  if (options.insecure) config.server.insecure = true;
  if (options.simulate) {
    const taken = new Set([...config.models.map((model) => model.name), ...config.routes.map((route) => route.name)]);
    const models = SIMULATED_MODELS.filter((model) => !taken.has(model.name));
    const routes = SIMULATED_ROUTES.filter((route) => !taken.has(route.name));
    const merged = validateConfig({ ...config, models: [...config.models, ...models], routes: [...config.routes, ...routes] }, 'simulate');
    return { ...loaded, config: merged };
  }
  return { ...loaded, config };
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Start the gateway (default http://127.0.0.1:4100).')
    .option('-c, --config <file>', 'config file (default: ./switchboard.yaml or $SWITCHBOARD_CONFIG)')
    .option('-p, --port <port>', 'port to listen on (default 4100)', parsePort)
    .option('-H, --host <host>', 'host to bind (default 127.0.0.1)')
    .option('--simulate', 'add built-in simulated models (no keys needed; answers are marked simulated)')
    .option('--insecure', 'allow listening on a non-loopback address without an admin key')
    .option('-w, --workers <n>', 'gateway processes sharing the port: a number, or auto for one per core (default 1)', parseWorkers)
    .action(async (options: ServeOptions) => {
      let loaded: LoadedConfig;
      try {
        loaded = resolveServeConfig(options);
      } catch (error) {
        if (error instanceof ConfigError) {
          process.stderr.write(`${error.message}\n`);
          process.exit(2);
        }
        throw error;
      }
      if ((options.workers ?? 1) > 1 && !isClusterWorker) {
        const logger = createLogger(loaded.config.logging.level);
        await runPrimary({ workers: options.workers!, logger, say: (line) => process.stdout.write(`${line}\n`) });
        return;
      }
      await serve(loaded, () => resolveServeConfig(options).config);
    });
}

async function serve(loaded: LoadedConfig, reloadConfig: () => GatewayConfig): Promise<void> {
  const { config } = loaded;
  const logger = createLogger(config.logging.level);
  for (const warning of loaded.warnings) logger.warn(warning);
  enableProcessMetrics();
  const gateway = await createGateway({ config, logger, configDirectory: loaded.path ? dirname(loaded.path) : process.cwd(), reloadConfig });
  // Under --workers only the first worker prints the banner; the primary adds the worker list.
  const announce = announcesStartup();
  const say = (line: string) => {
    if (announce) process.stdout.write(`${line}\n`);
  };

  // Signal handlers go in before the gateway listens: a signal that arrives while the banner
  // prints must not find Node's defaults (SIGHUP's would kill the process).
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
    gateway.reload().then(
      () => say('Configuration reloaded (SIGHUP).'),
      (error: unknown) => process.stderr.write(`Reload refused, the previous configuration keeps serving: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });

  let address;
  try {
    address = await gateway.listen();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    await gateway.close();
    process.exit(2);
  }
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  say(`Switchboard listening on ${url}/v1 (config: ${loaded.path ?? 'from environment'}; storage: ${describeStorage(config.storage.url)})`);
  const names = gateway.registry.all().map((model) => (model.simulated ? `${model.name} (simulated)` : model.name));
  if (names.length === 0) {
    say('No models configured: set OPENAI_API_KEY (or ANTHROPIC_API_KEY / GEMINI_API_KEY), add a model to switchboard.yaml, or run `switchboard serve --simulate` to try it without keys.');
  } else {
    say(`Models: ${names.join(', ')}${gateway.routes.names().length ? `; routes: ${gateway.routes.names().join(', ')}` : ''}`);
  }
}
