/**
 * GET /api/metrics: this process's memory and event-loop delay, for the soak test and for
 * anyone watching a gateway under load. The delay histogram is sampled by libuv every 20 ms
 * (`perf_hooks.monitorEventLoopDelay`) with a 10 ms timer, which costs next to nothing; the
 * figures are how late that timer fired, i.e. how long the loop was blocked. `?reset=1` starts
 * a new window so a poller sees the worst stall since its last read.
 *
 * With `serve --workers N` each request reaches one worker: the answer carries its `pid`.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../request-context.js';

const RESOLUTION_MS = 10;
let histogram: IntervalHistogram | undefined;

/** Starts the event-loop monitor (`serve` does; embedded gateways report no delay). Idempotent. */
export function enableProcessMetrics(): void {
  if (histogram) return;
  histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
}

/** The histogram holds the interval between timer runs; the delay is what exceeds the period. */
const delayMs = (nanoseconds: number) => Math.max(0, Math.round((nanoseconds / 1e6 - RESOLUTION_MS) * 100) / 100);

export async function handleProcessMetrics(gateway: Gateway, context: RequestContext): Promise<void> {
  const memory = process.memoryUsage();
  const delay = histogram;
  const body = {
    pid: process.pid,
    uptime_s: Math.round(process.uptime()),
    in_flight: gateway.inFlight,
    log_pending: gateway.logWriter.pending,
    memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed, external_bytes: memory.external },
    event_loop_delay_ms: delay
      ? { p50: delayMs(delay.percentile(50)), p99: delayMs(delay.percentile(99)), max: delayMs(delay.max), mean: delayMs(delay.mean) }
      : null,
  };
  if (context.query.get('reset') === '1') delay?.reset();
  context.sendJson(200, body);
}
