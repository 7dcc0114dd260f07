/**
 * How `switchboard serve` sets metrics up for its process role: a lone gateway serves its own
 * registry (and `metrics.port` if set); under `--workers` each worker hands its registry to the
 * primary's aggregator and the primary serves `metrics.port` with the sum.
 */
import type { GatewayConfig } from '../../config/schema.js';
import { digest } from '../../governance/keys/authenticate.js';
import type { Logger } from '../../logging/logger.js';
import type { Gateway } from '../../server/gateway.js';
import { startMetricsAggregator } from './cluster-metrics.js';
import { serveMetricsPort } from './metrics-handler.js';

function adminKeyDigest(config: GatewayConfig): Buffer | undefined {
  const adminKey = process.env.SWITCHBOARD_ADMIN_KEY || config.admin_key;
  return adminKey ? digest(adminKey) : undefined;
}

/** In the `--workers` primary, before forking: aggregate the workers, and serve `metrics.port` if set. */
export async function startPrimaryMetrics(config: GatewayConfig, logger: Logger, say: (line: string) => void): Promise<void> {
  if (!config.metrics.enabled) return;
  const aggregator = startMetricsAggregator();
  if (config.metrics.port === undefined) return;
  const { address } = await serveMetricsPort({
    port: config.metrics.port,
    host: config.server.host,
    adminKeyDigest: adminKeyDigest(config),
    text: () => aggregator.clusterMetrics(),
    contentType: aggregator.contentType,
    onError: (error) => logger.error({ err: error }, 'metrics aggregation failed'),
  });
  say(`Metrics (all workers) on http://${config.server.host}:${address.port}/metrics`);
}

/** In a gateway process: join the primary's aggregator (a worker), or serve `metrics.port` (a lone gateway). */
export async function startGatewayMetrics(gateway: Gateway, options: { worker: boolean; say: (line: string) => void }): Promise<void> {
  const { metrics, config } = gateway;
  if (!metrics) return;
  if (options.worker) {
    metrics.joinCluster();
    return;
  }
  if (config.metrics.port === undefined) return;
  const { server, address } = await serveMetricsPort({
    port: config.metrics.port,
    host: config.server.host,
    adminKeyDigest: adminKeyDigest(config),
    text: () => metrics.text(),
    contentType: metrics.contentType,
    onError: (error) => gateway.logger.error({ err: error }, 'metrics collection failed'),
  });
  gateway.server.once('close', () => server.close());
  options.say(`Metrics on http://${config.server.host}:${address.port}/metrics`);
}
