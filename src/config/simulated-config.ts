/**
 * What `serve --simulate` adds: simulated models under the names the README's examples send
 * (`gpt-4o-mini`, `gpt-4o`, the `auto` route), plus the `sim-…` names of earlier releases.
 * A model or route the config file defines keeps its own definition, and a simulated route is
 * added only over simulated models, so `auto` never quietly sends traffic to a paid model.
 */
import { SIMULATED_MODEL_ALIASES, SIMULATED_MODELS } from '../providers/simulated/simulated-provider.js';
import { SIMULATED_ROUTES } from '../routing/simulated-routes.js';
import type { GatewayConfig, ModelConfig } from './schema.js';
import type { RouteConfig } from '../routing/route-schema.js';
import { modelReferences } from './model-references.js';

const ALL_SIMULATED_MODELS = [...SIMULATED_MODELS, ...SIMULATED_MODEL_ALIASES];

export const SIMULATED_MODEL_NAMES: readonly string[] = ALL_SIMULATED_MODELS.map((model) => model.name);

/** The `sim-…` names of earlier releases: they answer, but startup lists only the current names. */
export const EARLIER_SIMULATED_NAMES: ReadonlySet<string> = new Set([...SIMULATED_MODEL_ALIASES.map((model) => model.name), 'sim-auto']);

export function withSimulatedModels(config: GatewayConfig): Pick<GatewayConfig, 'models' | 'routes'> {
  const taken = new Set([...config.models.map((model) => model.name), ...config.routes.map((route) => route.name)]);
  const models = ALL_SIMULATED_MODELS.filter((model) => !taken.has(model.name)) as ModelConfig[];
  const added = new Set(models.map((model) => model.name));
  const routes = SIMULATED_ROUTES.filter(
    (route: RouteConfig) => !taken.has(route.name) && modelReferences({ models: [], routes: [route] }).every((reference) => added.has(reference.name)),
  );
  return { models: [...config.models, ...models], routes: [...config.routes, ...routes] };
}
