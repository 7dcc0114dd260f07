/**
 * The gateway process: one node:http server, its route table, the request pipelines and the
 * services they share. `createGateway` wires them; `close` drains in-flight requests and
 * flushes the log.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from '../config/schema.js';
import { ChatExecutor } from '../execution/chat-executor.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { ModelRegistry } from '../models/model-registry.js';
import { Dispatcher } from '../reliability/dispatcher.js';
import { openRequestLogStore } from '../storage/open-store.js';
import type { RequestLogStore } from '../storage/request-log-store.js';
import { RequestLogWriter } from '../storage/request-log-writer.js';
import { RouteTable } from '../routing/route-table.js';
import { Governance } from '../governance/governance.js';
import { buildPipelines, type Pipelines } from '../pipeline/pipelines.js';
import { handleHttpRequest } from './http-handler.js';
import type { HttpRoutes } from './http-routes.js';
import { gatewayRoutes } from './routes.js';

export interface GatewayOptions {
  config: GatewayConfig;
  logger?: Logger;
  /** Use this store instead of opening `config.storage.url` (tests). */
  store?: RequestLogStore;
  /** Directory relative paths in the config (router files) are resolved against. */
  configDirectory?: string;
}

export interface Gateway {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly registry: ModelRegistry;
  readonly routes: RouteTable;
  readonly executor: ChatExecutor;
  readonly store: RequestLogStore;
  readonly logWriter: RequestLogWriter;
  /** Keys, budgets, rate limits and degradation (src/governance). */
  readonly governance: Governance;
  /** The request pipelines every surface runs (src/pipeline). */
  readonly pipelines: Pipelines;
  readonly httpRoutes: HttpRoutes;
  readonly server: Server;
  /** Requests (streams included) that have started and not finished. */
  inFlight: number;
  draining: boolean;
  listen(port?: number, host?: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logging.level);
  const registry = new ModelRegistry(config);
  const dispatcher = new Dispatcher(registry, {
    connectMs: config.timeouts.connect_ms,
    firstTokenMs: config.timeouts.first_token_ms,
    totalMs: config.timeouts.total_ms,
  }, { retry: config.retry, cooldown: config.cooldown });
  const executor = new ChatExecutor(registry, dispatcher);
  const routes = new RouteTable(config.routes, registry, { configDirectory: options.configDirectory ?? process.cwd() });
  const store = options.store ?? (await openRequestLogStore(config.storage.url));
  const logWriter = new RequestLogWriter(store, {
    batchSize: config.storage.batch_size,
    flushIntervalMs: config.storage.flush_interval_ms,
    logger,
  });

  const governance = await Governance.create({ config, store, registry, routes, logger });
  const pipelines = buildPipelines({ config, registry, routes, executor, governance, logger });
  const server = createServer({ keepAliveTimeout: 65_000 });
  const gateway: Gateway = {
    config, logger, registry, routes, executor, store, logWriter, governance, pipelines, server,
    httpRoutes: gatewayRoutes(),
    inFlight: 0,
    draining: false,
    listen(port = config.server.port, host = config.server.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close: () => closeGateway(gateway),
  };
  server.on('request', (request, response) => void handleHttpRequest(gateway, request, response));
  return gateway;
}

/**
 * Graceful close: stop accepting connections, let in-flight requests and streams finish within
 * the drain timeout, then flush the request log so nothing is lost.
 */
async function closeGateway(gateway: Gateway): Promise<void> {
  if (gateway.draining) return;
  gateway.draining = true;
  const closed = new Promise<void>((resolve) => gateway.server.close(() => resolve()));
  gateway.server.closeIdleConnections();
  const deadline = Date.now() + gateway.config.server.drain_timeout_ms;
  while (gateway.inFlight > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    gateway.server.closeIdleConnections();
  }
  if (gateway.inFlight > 0) {
    gateway.logger.warn({ inFlight: gateway.inFlight }, 'drain timeout reached; closing remaining connections');
  }
  gateway.server.closeAllConnections();
  await closed;
  await gateway.logWriter.flush();
  await gateway.governance.close();
  await gateway.store.close();
}
