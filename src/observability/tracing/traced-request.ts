/**
 * What the layers below the pipeline see of a traced request: the dispatcher starts one client
 * span per upstream attempt (reliability/dispatcher.ts), and the attempt's `traceparent` goes
 * upstream with the call (`CallOptions.traceparent`, providers/shared/http-client.ts). The
 * request's trace travels on its scope and dispatch context, never in an AsyncLocalStorage:
 * entering one turns on Node's promise hooks for every promise in the process, traced or not.
 * Threading it instead cut what tracing adds to a JSON request from 32 to 18 µs of CPU at
 * `sample: 0.1`, and from 79 to 64 µs with every request sampled (docs/performance.md,
 * "Telemetry, fifth session", the bench targets `telemetry-sampled` and `telemetry-on`). Without telemetry, or for a request the
 * sampler left out, the trace is undefined and each layer checks that once.
 */
import type { ResolvedDeployment } from '../../models/model-registry.js';
import type { AttemptRecord } from '../../storage/request-record.js';

export interface TracedRequest {
  /** A client span for one upstream attempt, under the request's server span. */
  startAttempt(modelName: string, deployment: ResolvedDeployment, attemptNumber: number): AttemptSpan;
}

export interface AttemptSpan {
  /** The W3C `traceparent` this attempt sends upstream: the attempt's span as the parent. */
  readonly traceparent: string | undefined;
  /** Ends the span with what the attempt record says happened. */
  end(record: AttemptRecord): void;
}
