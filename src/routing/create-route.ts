/** Builds a route from its config by strategy. */
import { ConfigError } from '../config/config-error.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { Route } from './route.js';
import type { RouteConfig } from './route-schema.js';
import type { RouteTableOptions } from './route-table.js';

export function createRoute(config: RouteConfig, _registry: ModelRegistry, _options: RouteTableOptions): Route {
  throw new ConfigError(`routes '${config.name}': strategy '${config.strategy}' is not available yet`);
}
