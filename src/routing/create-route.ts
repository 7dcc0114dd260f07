/** Builds a route from its config by strategy. */
import type { ModelRegistry } from '../models/model-registry.js';
import type { Route } from './route.js';
import type { RouteConfig } from './route-schema.js';
import { CascadeRoute } from './strategies/cascade-route.js';
import { ExperimentRoute } from './strategies/experiment-route.js';
import { FixedRoute } from './strategies/fixed-route.js';
import { LearnedRoute } from './strategies/learned-route.js';
import { PipelineRoute } from './strategies/pipeline-route.js';
import { RandomRoute } from './strategies/random-route.js';
import { RulesRoute } from './strategies/rules-route.js';

export interface RouteTableOptions {
  /** Directory relative paths in the config (router files, calibration data) are resolved against. */
  configDirectory: string;
  /** The routes built so far, by name: an experiment's arms are other routes. */
  resolveRoute?: (name: string) => Route | undefined;
}

export function createRoute(config: RouteConfig, registry: ModelRegistry, options: RouteTableOptions): Route {
  switch (config.strategy) {
    case 'fixed':
      return new FixedRoute(config, registry);
    case 'random':
      return new RandomRoute(config, registry);
    case 'rules':
      return new RulesRoute(config, registry);
    case 'learned':
      return new LearnedRoute(config, registry, options.configDirectory);
    case 'cascade':
      return new CascadeRoute(config, registry);
    case 'pipeline':
      return new PipelineRoute(config, registry);
    case 'experiment':
      return new ExperimentRoute(config, registry, options.resolveRoute ?? (() => undefined));
  }
}
