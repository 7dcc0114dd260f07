/**
 * GET /api/metrics: this process's memory and event-loop delay, for the soak test and for
 * anyone watching a gateway under load. The delay histogram is sampled by libuv every 20 ms
 * (`perf_hooks.monitorEventLoopDelay`), which costs next to nothing; `?reset=1` starts a new
 * window so a poller sees the worst stall since its last read.
 *
 * With `serve --workers N` each request reaches one worker: the answer carries its `pid`.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../request-context.js';
import { registerHandler } from '../route-handlers.js';

let histogram: IntervalHistogram | undefined;

/** Starts the event-loop monitor and adds the route. Idempotent. */
export function enableProcessMetrics(): void {
  if (histogram) return;
  histogram = monitorEventLoopDelay({ resolution: 20 });
  histogram.enable();
  registerHandler('GET', '/api/metrics', handleProcessMetrics);
}

const milliseconds = (nanoseconds: number) => Math.round(nanoseconds / 1e4) / 100;

async function handleProcessMetrics(gateway: Gateway, context: RequestContext): Promise<void> {
  const memory = process.memoryUsage();
  const delay = histogram!;
  const body = {
    pid: process.pid,
    uptime_s: Math.round(process.uptime()),
    in_flight: gateway.inFlight,
    log_pending: gateway.logWriter.pending,
    memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed, external_bytes: memory.external },
    event_loop_delay_ms: {
      // The histogram counts the monitor's own resolution; what matters is the excess over it.
      p50: milliseconds(delay.percentile(50)),
      p99: milliseconds(delay.percentile(99)),
      max: milliseconds(delay.max),
      mean: milliseconds(delay.mean),
      resolution: 20,
    },
  };
  if (context.query.get('reset') === '1') delay.reset();
  context.sendJson(200, body);
}
