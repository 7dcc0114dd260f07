/**
 * The two places below the pipeline that tracing reaches into — one client span per upstream
 * attempt (reliability/dispatcher.ts) and the `traceparent` header sent upstream
 * (providers/shared/http-client.ts) — read these hooks. They stay undefined until a gateway
 * with telemetry starts, so with telemetry off each costs one `undefined` check per call and no
 * tracing code is loaded.
 */
import type { ResolvedDeployment } from '../../models/model-registry.js';
import type { AttemptRecord } from '../../storage/request-record.js';

export interface AttemptSpan {
  /** Runs the upstream call with this span as the `traceparent` it sends. */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** Ends the span with what the attempt record says happened. */
  end(record: AttemptRecord): void;
}

export interface AttemptTracing {
  /** A client span under the current request's server span, or undefined when this request is not traced. */
  start(modelName: string, deployment: ResolvedDeployment, attemptNumber: number): AttemptSpan | undefined;
  /** The `traceparent` of the attempt running now, if any. */
  outgoingTraceparent(): string | undefined;
}

export let attemptTracing: AttemptTracing | undefined;

export function setAttemptTracing(tracing: AttemptTracing): void {
  attemptTracing = tracing;
}
