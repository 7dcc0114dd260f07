/**
 * Models whose calls cannot be priced: no `price:` in the config and no entry in the built-in
 * catalog. They are billed $0 and their answers are marked `x-switchboard-cost-estimated: true`,
 * so startup says which they are rather than letting budgets and spend reports read $0 in silence.
 */
import type { ModelRegistry } from './model-registry.js';

export function unpricedModelWarnings(registry: ModelRegistry): string[] {
  const warnings: string[] = [];
  for (const model of registry.all()) {
    const upstreams = [...new Set(model.deployments.filter((deployment) => deployment.price === undefined).map((deployment) => deployment.info.model))];
    if (upstreams.length === 0) continue;
    warnings.push(
      `model '${model.name}' (upstream ${upstreams.join(', ')}) has no price: not in the built-in catalog and no \`price:\` in its config; ` +
        'its calls count $0 against budgets and its answers say x-switchboard-cost-estimated: true. Add `price: { input: …, output: … }` (USD per 1M tokens).',
    );
  }
  return warnings;
}
