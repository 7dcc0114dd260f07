/**
 * One scrape, every worker: with `serve --workers N` a scrape reaches one worker, which asks the
 * primary; the primary's prom-client `AggregatorRegistry` collects every worker's registry over
 * node:cluster IPC and sums them (metric by metric, by each metric's `aggregator`), and the
 * answer goes back to the worker that was asked. Without workers none of this is loaded.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, type PrometheusContentType } from 'prom-client';

const REQUEST = 'switchboard:metrics-request';
const RESPONSE = 'switchboard:metrics-response';
/** Longer than prom-client's own 5 s wait for the workers, so its error arrives first. */
const WORKER_WAIT_MS = 6000;

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}

interface MetricsResponse {
  type: typeof RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

let aggregator: AggregatorRegistry<PrometheusContentType> | undefined;

/** In the primary: answers workers' requests for the whole cluster's metrics. Returns the aggregator (for `metrics.port`). */
export function startMetricsAggregator(): AggregatorRegistry<PrometheusContentType> {
  if (aggregator) return aggregator;
  const registry = (aggregator = new AggregatorRegistry());
  cluster.on('message', (worker, message: MetricsRequest) => {
    if (message?.type !== REQUEST) return;
    registry.clusterMetrics().then(
      (text) => worker.send({ type: RESPONSE, id: message.id, text } satisfies MetricsResponse),
      (error: unknown) => worker.send({ type: RESPONSE, id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies MetricsResponse),
    );
  });
  return registry;
}

let nextId = 0;

/** In a worker: the whole cluster's metrics text, from the primary. */
export function clusterMetricsText(): Promise<string> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (message: MetricsResponse) => {
      if (message?.type !== RESPONSE || message.id !== id) return;
      cleanup();
      if (message.text !== undefined) resolve(message.text);
      else reject(new Error(`the primary could not aggregate metrics: ${message.error}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('the primary did not answer the metrics request in time'));
    }, WORKER_WAIT_MS);
    const cleanup = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send!({ type: REQUEST, id } satisfies MetricsRequest);
  });
}
