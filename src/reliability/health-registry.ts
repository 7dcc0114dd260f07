/**
 * The health of every deployment, keyed by deployment id, and the report the admin endpoint
 * `GET /api/health/deployments` serves. State is per process.
 */
import type { ResolvedModel } from '../models/model-registry.js';
import { DeploymentHealth, type CooldownPolicy } from './deployment-health.js';

export interface DeploymentHealthReport {
  deployment: string;
  model: string;
  provider: string;
  upstream_model: string;
  state: string;
  available: string;
  /** Deployment faults inside the cooldown window. */
  failures: number;
  in_flight: number;
  ewma_latency_ms: number | null;
  last_error_code: string | null;
  last_error_at: string | null;
  cooldown_until: string | null;
  rate_limited_until: string | null;
  requests_last_minute: number;
  tokens_last_minute: number;
  rpm: number | null;
  tpm: number | null;
  total_successes: number;
  total_failures: number;
}

export class HealthRegistry {
  private readonly byId = new Map<string, DeploymentHealth>();

  constructor(
    readonly policy: CooldownPolicy,
    readonly clock: () => number = Date.now,
  ) {}

  of(deploymentId: string): DeploymentHealth {
    let health = this.byId.get(deploymentId);
    if (!health) this.byId.set(deploymentId, (health = new DeploymentHealth(deploymentId, this.policy, this.clock)));
    return health;
  }

  report(models: readonly ResolvedModel[]): DeploymentHealthReport[] {
    const now = this.clock();
    const iso = (time: number | null) => (time !== null && time > now ? new Date(time).toISOString() : null);
    return models.flatMap((model) =>
      model.deployments.map((deployment): DeploymentHealthReport => {
        const health = this.of(deployment.id);
        const state = health.state;
        return {
          deployment: deployment.id,
          model: model.name,
          provider: deployment.info.provider,
          upstream_model: deployment.info.model,
          state,
          available: health.availability(),
          failures: health.recentFailures(),
          in_flight: health.inFlight,
          ewma_latency_ms: health.ewmaLatencyMs === null ? null : Math.round(health.ewmaLatencyMs * 10) / 10,
          last_error_code: health.lastErrorCode,
          last_error_at: health.lastErrorAt === null ? null : new Date(health.lastErrorAt).toISOString(),
          cooldown_until: state === 'open' ? iso(health.openUntil) : null,
          rate_limited_until: iso(health.rateLimitedUntil),
          requests_last_minute: health.requestsPerWindow.total(now),
          tokens_last_minute: health.tokensPerWindow.total(now),
          rpm: deployment.rpm ?? null,
          tpm: deployment.tpm ?? null,
          total_successes: health.successes,
          total_failures: health.failures,
        };
      }),
    );
  }
}
