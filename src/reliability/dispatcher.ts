/**
 * Sends one request to a model: picks a deployment, calls it, and on a retryable failure moves
 * on to the next deployment and then to the model's fallbacks. Every attempt is recorded.
 */
import { GatewayError } from '../errors/index.js';
import type { ModelRegistry, ResolvedDeployment, ResolvedModel } from '../models/model-registry.js';
import type { CallTimeouts } from '../providers/provider.js';
import type { AttemptRecord } from '../storage/request-record.js';
import { mapNetworkError } from '../providers/shared/http-client.js';

export interface DispatchContext {
  signal?: AbortSignal;
  /** Filled in as attempts happen, so a failed request still logs them. */
  attempts: AttemptRecord[];
}

export interface Dispatched<T> {
  value: T;
  model: ResolvedModel;
  deployment: ResolvedDeployment;
}

export type Call<T> = (deployment: ResolvedDeployment, timeouts: CallTimeouts, signal: AbortSignal | undefined) => Promise<T>;

export class Dispatcher {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly timeouts: CallTimeouts,
  ) {}

  async dispatch<T>(model: ResolvedModel, context: DispatchContext, call: Call<T>): Promise<Dispatched<T>> {
    let lastError: GatewayError | undefined;
    const chain = [model, ...model.config.fallbacks.map((name) => this.registry.get(name)).filter((fallback): fallback is ResolvedModel => fallback !== undefined)];
    for (const candidate of chain) {
      for (const deployment of candidate.deployments) {
        const started = performance.now();
        try {
          const value = await call(deployment, this.timeouts, context.signal);
          context.attempts.push(attempt(deployment, candidate, 200, null, started));
          return { value, model: candidate, deployment };
        } catch (error) {
          const gatewayError = error instanceof GatewayError ? error : mapNetworkError(error, { provider: deployment.info.provider, timeouts: this.timeouts });
          const upstreamStatus = (gatewayError as { upstreamStatus?: number }).upstreamStatus ?? null;
          context.attempts.push(attempt(deployment, candidate, upstreamStatus, gatewayError.code, started));
          lastError = gatewayError;
          if (!gatewayError.isRetryable || context.signal?.aborted) throw gatewayError;
        }
      }
    }
    throw lastError!;
  }
}

function attempt(deployment: ResolvedDeployment, model: ResolvedModel, status: number | null, errorCode: string | null, started: number): AttemptRecord {
  return {
    deployment: deployment.id,
    model: model.name,
    provider: deployment.info.provider,
    status,
    error_code: errorCode,
    latency_ms: Math.round((performance.now() - started) * 100) / 100,
  };
}
