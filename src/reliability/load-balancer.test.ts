import { describe, expect, it } from 'vitest';
import { chooseDeployment, type BalancerCandidate, type LoadBalancing } from './load-balancer.js';

function candidate(id: string, options: { weight?: number; inFlight?: number; latency?: number | null; headroom?: number } = {}): BalancerCandidate {
  return {
    deployment: { id, weight: options.weight ?? 1, rpm: undefined, tpm: undefined },
    health: {
      inFlight: options.inFlight ?? 0,
      ewmaLatencyMs: options.latency === undefined ? 100 : options.latency,
      latencyNeedsSample: () => options.latency === null,
      headroom: () => options.headroom ?? 1,
    },
  };
}

/** A deterministic sequence of uniform values, so shares can be checked exactly enough. */
function seeded(seed = 42): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

function shares(strategy: LoadBalancing, candidates: BalancerCandidate[], picks = 10_000): Record<string, number> {
  const random = seeded();
  const counts: Record<string, number> = {};
  for (let index = 0; index < picks; index++) {
    const id = chooseDeployment(strategy, candidates, random).deployment.id;
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([id, count]) => [id, count / picks]));
}

describe('load balancers', () => {
  it('weighted: splits traffic by weight', () => {
    const result = shares('weighted', [candidate('a', { weight: 3 }), candidate('b', { weight: 1 })]);
    expect(result.a).toBeCloseTo(0.75, 1);
    expect(result.b).toBeCloseTo(0.25, 1);
  });

  it('least-in-flight: sends to the deployment with the fewest calls in flight', () => {
    const result = shares('least-in-flight', [candidate('a', { inFlight: 4 }), candidate('b', { inFlight: 1 }), candidate('c', { inFlight: 2 })]);
    expect(result).toEqual({ b: 1 });
  });

  it('least-in-flight: breaks ties by weight', () => {
    const result = shares('least-in-flight', [candidate('a', { inFlight: 1, weight: 1 }), candidate('b', { inFlight: 1, weight: 1 }), candidate('c', { inFlight: 3 })]);
    expect(result.a).toBeCloseTo(0.5, 1);
    expect(result.c).toBeUndefined();
  });

  it('lowest-latency: sends to the lowest EWMA, but measures an unmeasured deployment first', () => {
    expect(shares('lowest-latency', [candidate('a', { latency: 300 }), candidate('b', { latency: 90 })])).toEqual({ b: 1 });
    expect(shares('lowest-latency', [candidate('a', { latency: 90 }), candidate('b', { latency: null })])).toEqual({ b: 1 });
    // Within a tenth of the fastest counts as a tie.
    const tied = shares('lowest-latency', [candidate('a', { latency: 100 }), candidate('b', { latency: 105 }), candidate('c', { latency: 150 })]);
    expect(tied.c).toBeUndefined();
    expect(tied.a).toBeGreaterThan(0.45);
    expect(tied.b).toBeGreaterThan(0.45);
  });

  it('headroom: sends to the deployment furthest from its rpm/tpm limit', () => {
    expect(shares('headroom', [candidate('a', { headroom: 0.2 }), candidate('b', { headroom: 0.7 }), candidate('c', { headroom: 0.5 })])).toEqual({ b: 1 });
  });
});
