/**
 * The gateway process: one node:http server, its route table, the request pipelines and the
 * services they share. `createGateway` wires them; `close` drains in-flight requests and
 * flushes the log.
 */
import type { AuditActor } from '../audit/audit-actor.js';
import { reloadableConfig } from '../audit/config-summary.js';
import type { PiiDetector } from '../guardrails/pii/entities.js';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from '../config/schema.js';
import { ChatExecutor } from '../execution/chat-executor.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { ModelRegistry } from '../models/model-registry.js';
import { configuredSecrets, registerSecrets } from '../security/secret-scrubber.js';
import { upstreamLimitsFromConfig } from '../providers/shared/upstream-limits.js';
import { Dispatcher } from '../reliability/dispatcher.js';
import type { HealthRegistry } from '../reliability/health-registry.js';
import { openRequestLogStore } from '../storage/open-store.js';
import type { RequestLogStore } from '../storage/request-log-store.js';
import { RequestLogWriter } from '../storage/request-log-writer.js';
import { RouteTable } from '../routing/route-table.js';
import { Governance } from '../governance/governance.js';
import { buildPipelines, type Pipelines } from '../pipeline/pipelines.js';
import { GatewayMetrics } from '../observability/metrics/gateway-metrics.js';
import type { RequestTracer } from '../observability/tracing/request-tracer.js';
import { telemetrySettings } from '../observability/tracing/telemetry-settings.js';
import { handleHttpRequest } from './http-handler.js';
import type { HttpRoutes } from './http-routes.js';
import { gatewayRoutes } from './routes.js';
import { isLoopbackAddress, RequestGuard } from './request-guard.js';
import { ConfigError } from '../config/config-error.js';
import { openResponseStore } from '../surfaces/openai-responses/store/open-response-store.js';
import type { ResponseStore } from '../surfaces/openai-responses/store/response-store.js';
import { responseStoreOptions } from '../surfaces/openai-responses/store/response-store-config.js';
import { BatchService } from '../batch/batch-service.js';
import { openLearningLoop, type LearningLoop } from '../shadow/learning-loop.js';
import { LearnedRoute } from '../routing/strategies/learned-route.js';
import { openResponseCache, type ResponseCache } from '../cache/response-cache.js';
import { embedThroughGateway } from '../cache/gateway-embedding.js';

export interface GatewayOptions {
  config: GatewayConfig;
  logger?: Logger;
  /** Use this store instead of opening `config.storage.url` (tests). */
  store?: RequestLogStore;
  /** Directory relative paths in the config (router files) are resolved against. */
  configDirectory?: string;
  /** Reads the config again for a live reload (SIGHUP, POST /api/config/reload); throws ConfigError when it is bad. */
  reloadConfig?: () => GatewayConfig;
  /** Replaces the built-in PII detectors (tests of a detector that fails). */
  piiDetectors?: readonly PiiDetector[];
}

/**
 * What a live reload replaces, all at once. A request reads the pipelines once, when it starts,
 * so it finishes on the models, routes and limits it started with.
 */
export interface GatewayGeneration {
  config: GatewayConfig;
  registry: ModelRegistry;
  routes: RouteTable;
  executor: ChatExecutor;
  /** The request pipelines every surface runs (src/pipeline). */
  pipelines: Pipelines;
}

export interface Gateway extends GatewayGeneration {
  readonly logger: Logger;
  readonly store: RequestLogStore;
  readonly logWriter: RequestLogWriter;
  /** Keys, budgets, rate limits and degradation (src/governance). */
  readonly governance: Governance;
  /** Responses created with `store: true` (surfaces/openai-responses/store); opened at startup, like storage. */
  readonly responseStore: ResponseStore;
  /** Batch jobs behind /v1/files and /v1/batches (src/batch): their store and this instance's runner. */
  readonly batches: BatchService;
  /** Shadow tests, judge, reviews and feedback (src/shadow, src/judge). */
  readonly learning: LearningLoop;
  readonly httpRoutes: HttpRoutes;
  /** Host, Origin and CORS checks on every request (request-guard.ts). */
  readonly requestGuard: RequestGuard;
  readonly server: Server;
  /** Prometheus metrics (src/observability/metrics); undefined with `metrics.enabled: false`. */
  readonly metrics: GatewayMetrics | undefined;
  /** OpenTelemetry traces (src/observability/tracing); undefined, and never loaded, when telemetry is off. */
  readonly tracer: RequestTracer | undefined;
  /** The response cache (src/cache); opened at startup when a config turns it on, kept across reloads. */
  readonly cache: ResponseCache | undefined;
  /** Requests (streams included) that have started and not finished. */
  inFlight: number;
  draining: boolean;
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /**
   * Reads the config again and swaps in its models, routes (router files included), prices and
   * limits. A bad config throws and leaves the current one serving. Storage, Redis, the admin
   * key and the listening address are read at startup only.
   */
  reload(actor?: AuditActor): Promise<GatewayGeneration>;
  close(): Promise<void>;
}

/** Who reloads when no person asked: a signal (SIGHUP) or the process itself. */
const SYSTEM_ACTOR: AuditActor = { actor: 'system', address: 'local' };

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logging);
  const configDirectory = options.configDirectory ?? process.cwd();
  const first = buildGeneration(config, configDirectory);
  const store = options.store ?? (await openRequestLogStore(config.storage.url));
  const logWriter = new RequestLogWriter(store, {
    batchSize: config.storage.batch_size,
    flushIntervalMs: config.storage.flush_interval_ms,
    logger,
  });

  const governance = await Governance.create({ config, store, registry: first.registry, routes: first.routes, logger });
  const responseStore = await openResponseStore(config.storage.url, responseStoreOptions(config.responses));
  const server = createServer({
    keepAliveTimeout: 65_000,
    // Slow-body bounds (docs/security.md): checked every second rather than Node's 30 s.
    headersTimeout: config.server.headers_timeout_ms,
    requestTimeout: Math.max(config.server.request_timeout_ms, config.server.headers_timeout_ms),
    connectionsCheckingInterval: 1000,
  });
  server.maxConnections = config.server.max_connections;
  const tracing = telemetrySettings(config);
  const tracer = tracing ? await (await import('../observability/tracing/request-tracer.js')).startRequestTracer(tracing, logger) : undefined;
  const cache = await openResponseCache(config, embedThroughGateway(() => gateway));
  const metrics = config.metrics.enabled ? new GatewayMetrics(() => gateway, { processMetrics: true }) : undefined;
  const learning = await openLearningLoop({
    storageUrl: config.storage.url,
    counters: governance.counters,
    logger,
    metrics: () => metrics,
    current: () => ({ judge: gateway.config.judge, registry: gateway.registry, executor: gateway.executor }),
  });
  const gateway: Gateway = {
    ...first,
    pipelines: buildPipelines({ ...first, governance, logger, tracer, learning, cache, piiDetectors: options.piiDetectors }),
    logger, store, logWriter, governance, responseStore, server, metrics, tracer, learning, cache,
    batches: undefined as unknown as BatchService,
    httpRoutes: gatewayRoutes(),
    requestGuard: new RequestGuard(config.server),
    inFlight: 0,
    draining: false,
    listen(port = config.server.port, host = config.server.host) {
      if (!isLoopbackAddress(host) && !governance.adminKeyConfigured && !config.server.insecure) {
        return Promise.reject(
          new ConfigError(
            `refusing to listen on ${host} without an admin key: anyone who reaches that address could spend through the gateway. Set SWITCHBOARD_ADMIN_KEY (or admin_key), or pass --insecure to accept the risk.`,
          ),
        );
      }
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async reload(actor = SYSTEM_ACTOR) {
      if (!options.reloadConfig) throw new ConfigError('this gateway was started without a config file, so there is nothing to reload');
      const previous = gateway.config;
      const next = buildGeneration(options.reloadConfig(), configDirectory, gateway.executor.dispatcher.health);
      const previousRouters = routerVersions(gateway.routes);
      // Built before anything is swapped: a config its stages refuse leaves the old one whole.
      const pipelines = buildPipelines({ ...next, governance, logger, tracer, learning, cache, piiDetectors: options.piiDetectors });
      governance.reconfigure({ config: next.config, registry: next.registry, routes: next.routes });
      Object.assign(gateway, next, { pipelines });
      // A reload that brings a new router file (retrained from the logs) is a router swap: audited.
      for (const [name, after] of routerVersions(next.routes)) {
        const before = previousRouters.get(name);
        if (before && before.router_version !== after.router_version) await governance.audit.record('route.router_swap', { ...actor, target: name, before, after });
      }
      logger.info({ models: next.registry.names().length, routes: next.routes.names().length }, 'configuration reloaded');
      // On record after the swap: the new config serves whether or not the audit write succeeds.
      await governance.audit.record('config.reload', { ...actor, before: reloadableConfig(previous), after: reloadableConfig(next.config) }).catch((error: unknown) => logger.error({ err: error }, 'audit log write failed for config.reload'));
      return gateway;
    },
    close: () => closeGateway(gateway),
  };
  metrics?.setStateSources(() => ({
    deployments: () => gateway.executor.dispatcher.health.report(gateway.registry.all()),
    keys: () => governance.keys.list(),
    teams: () => gateway.config.governance.teams,
    store,
    flushLog: () => logWriter.flush(),
    budgetSeriesLimit: gateway.config.metrics.budget_series_limit,
  }));
  (gateway as { batches: BatchService }).batches = await BatchService.open(gateway, config.storage.url);
  gateway.batches.start();
  server.on('request', (request, response) => void handleHttpRequest(gateway, request, response));
  return gateway;
}

/**
 * Models, routes and the executor for one config. Deployment health is kept across reloads
 * (by deployment id), so a reload does not bring a cooled-down deployment back early.
 */
function buildGeneration(config: GatewayConfig, configDirectory: string, health?: HealthRegistry): Omit<GatewayGeneration, 'pipelines'> {
  // Before anything can fail with an upstream's message: those messages are scrubbed of these.
  registerSecrets([...configuredSecrets(config), process.env.SWITCHBOARD_ADMIN_KEY]);
  const registry = new ModelRegistry(config);
  const dispatcher = new Dispatcher(registry, {
    connectMs: config.timeouts.connect_ms,
    firstTokenMs: config.timeouts.first_token_ms,
    totalMs: config.timeouts.total_ms,
  }, { retry: config.retry, cooldown: config.cooldown, limits: upstreamLimitsFromConfig(config.limits), health });
  const executor = new ChatExecutor(registry, dispatcher);
  const routes = new RouteTable(config.routes, registry, { configDirectory });
  return { config, registry, routes, executor };
}

/**
 * Graceful close: stop accepting connections, let in-flight requests and streams finish within
 * the drain timeout, then flush the request log so nothing is lost.
 *
 * Keep-alive connections are not cut while a client may be sending on them: every answer given
 * while draining says `Connection: close`, so busy clients close their own connections after
 * their next request, and idle ones are closed only after `drain_idle_grace_ms`. Closing idle
 * sockets at once dropped the next request of most keep-alive clients mid-flight.
 */
async function closeGateway(gateway: Gateway): Promise<void> {
  if (gateway.draining) return;
  gateway.draining = true;
  const { server } = gateway;
  // net.Server's close stops accepting connections; http.Server's (Node ≥ 19) also closes idle
  // keep-alive sockets at once, which is exactly what must wait for the grace period.
  const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
  const started = Date.now();
  const deadline = started + gateway.config.server.drain_timeout_ms;
  // Batches stop taking new lines now; lines in flight finish (and are logged) within the drain timeout.
  const batchesClosed = gateway.batches.close(deadline);
  const graceEnd = Math.min(deadline, started + gateway.config.server.drain_idle_grace_ms);
  while (Date.now() < deadline && (gateway.inFlight > 0 || (Date.now() < graceEnd && (await openConnections(server)) > 0))) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  server.closeIdleConnections();
  while (gateway.inFlight > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    server.closeIdleConnections();
  }
  if (gateway.inFlight > 0) {
    gateway.logger.warn({ inFlight: gateway.inFlight }, 'drain timeout reached; closing remaining connections');
  }
  server.closeAllConnections();
  await closed;
  await batchesClosed;
  // Shadow calls and judgements run off the request path: they get what is left of the drain timeout.
  await gateway.learning.close(deadline);
  await gateway.logWriter.flush();
  await gateway.governance.close();
  await gateway.responseStore.close();
  await gateway.cache?.close();
  await gateway.store.close();
  await gateway.tracer?.shutdown((error) => gateway.logger.warn({ err: error }, 'the last spans could not be exported'));
}

/** Each learned route's router file and version. */
function routerVersions(routes: RouteTable): Map<string, { router: string; router_version: string }> {
  const versions = new Map<string, { router: string; router_version: string }>();
  for (const name of routes.names()) {
    const route = routes.get(name);
    if (route instanceof LearnedRoute) versions.set(name, { router: route.routerPath, router_version: route.routerVersion });
  }
  return versions;
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
}
