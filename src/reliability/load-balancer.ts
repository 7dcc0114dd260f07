/**
 * Load balancing across the deployments of one model that are available right now. The
 * strategy is chosen per model (`load_balancing`); ties are always broken by weighted random,
 * so equal deployments share traffic by their `weight`.
 */
import type { ResolvedDeployment } from '../models/model-registry.js';
import type { DeploymentHealth } from './deployment-health.js';
import { RETRY_POLICY } from './retry-policy.js';

export type LoadBalancing = 'weighted' | 'least-in-flight' | 'lowest-latency' | 'headroom';

export interface BalancerCandidate {
  deployment: Pick<ResolvedDeployment, 'id' | 'weight' | 'rpm' | 'tpm'>;
  health: Pick<DeploymentHealth, 'inFlight' | 'ewmaLatencyMs' | 'latencyNeedsSample' | 'headroom'>;
}

/** Picks one of `candidates` (which must not be empty). */
export function chooseDeployment<C extends BalancerCandidate>(strategy: LoadBalancing, candidates: readonly C[], random: () => number = Math.random): C {
  if (candidates.length === 1) return candidates[0]!;
  switch (strategy) {
    case 'weighted':
      return weightedPick(candidates, random);
    case 'least-in-flight':
      return weightedPick(lowest(candidates, (candidate) => candidate.health.inFlight), random);
    case 'lowest-latency': {
      // A deployment without a (recent) sample is tried first, so every one gets measured and a
      // slow spell is not held against a deployment for ever.
      const unmeasured = candidates.filter((candidate) => candidate.health.latencyNeedsSample());
      if (unmeasured.length > 0) return weightedPick(unmeasured, random);
      // Within a tenth of the fastest is a tie (LiteLLM's lowest_latency_buffer): shared by
      // weight rather than flapping between near-equal deployments on noise.
      const fastest = Math.min(...candidates.map((candidate) => candidate.health.ewmaLatencyMs!));
      return weightedPick(candidates.filter((candidate) => candidate.health.ewmaLatencyMs! <= fastest * (1 + RETRY_POLICY.latencyTieShare)), random);
    }
    case 'headroom':
      return weightedPick(lowest(candidates, (candidate) => -candidate.health.headroom({ rpm: candidate.deployment.rpm, tpm: candidate.deployment.tpm })), random);
  }
}

function lowest<C>(candidates: readonly C[], score: (candidate: C) => number): C[] {
  let best = Infinity;
  let winners: C[] = [];
  for (const candidate of candidates) {
    const value = score(candidate);
    if (value < best) {
      best = value;
      winners = [candidate];
    } else if (value === best) {
      winners.push(candidate);
    }
  }
  return winners;
}

function weightedPick<C extends BalancerCandidate>(candidates: readonly C[], random: () => number): C {
  const total = candidates.reduce((sum, candidate) => sum + candidate.deployment.weight, 0);
  let target = random() * total;
  for (const candidate of candidates) {
    target -= candidate.deployment.weight;
    if (target < 0) return candidate;
  }
  return candidates[candidates.length - 1]!;
}
