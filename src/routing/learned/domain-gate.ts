/**
 * The gate of a domain-expert router: which kind of traffic a prompt is (exam question, maths
 * word problem, open chat…), read from its static embedding. One logistic regression per
 * domain (this domain or not), each domain given equal weight, and the probabilities
 * normalised to sum to 1. A prompt unlike every domain gets a blend of experts.
 */
import { fitLogisticRegression, sigmoid, type TrainingExample } from './logistic-regression.js';

export interface DomainGate {
  names: string[];
  gateBias: number[];
  gateWeights: number[][];
}

/** L2 on the gate's weights: the domains are far apart in embedding space, a light penalty suffices. */
export const GATE_L2 = 0.001;

export function trainDomainGate(embeddings: readonly (Float32Array | null)[], domains: readonly string[], names: readonly string[], l2 = GATE_L2): DomainGate {
  const embedded = embeddings.flatMap((embedding, index) => (embedding ? [{ embedding, domain: domains[index] }] : []));
  if (embedded.length === 0) throw new Error('the domain gate needs rows with an embedding');
  const dimensions = embedded[0].embedding.length;
  const indices = Int32Array.from({ length: dimensions }, (_, index) => index);
  const counts = new Map<string, number>();
  for (const { domain } of embedded) counts.set(domain, (counts.get(domain) ?? 0) + 1);
  const gateBias: number[] = [];
  const gateWeights: number[][] = [];
  for (const name of names) {
    const inside = counts.get(name) ?? 0;
    const examples: TrainingExample[] = embedded.map(({ embedding, domain }) => ({
      features: { indices, values: Float64Array.from(embedding) },
      label: domain === name ? 1 : 0,
      // Each side of the split weighs the same, so a small domain is not drowned by the rest.
      weight: domain === name ? 0.5 / Math.max(1, inside) : 0.5 / Math.max(1, embedded.length - inside),
    }));
    const model = fitLogisticRegression(examples, { dimension: dimensions, l2 });
    gateBias.push(round(model.bias));
    gateWeights.push(Array.from(model.weights, round));
  }
  return { names: [...names], gateBias, gateWeights };
}

/** Writes p(domain) for a normalised embedding into `into` (length = domains). */
export function gateProbabilities(gate: { gateBias: ArrayLike<number>; gateWeights: readonly ArrayLike<number>[] }, embedding: ArrayLike<number>, into: Float64Array): void {
  let total = 0;
  for (let domain = 0; domain < into.length; domain++) {
    const weights = gate.gateWeights[domain];
    let logit = gate.gateBias[domain];
    for (let index = 0; index < embedding.length; index++) logit += weights[index] * embedding[index];
    into[domain] = sigmoid(logit);
    total += into[domain];
  }
  for (let domain = 0; domain < into.length; domain++) into[domain] = total > 0 ? into[domain] / total : 1 / into.length;
}

function round(value: number): number {
  return Number(value.toPrecision(5));
}
