/**
 * The configured routes by name. Built once at startup: router files are loaded and thresholds
 * calibrated here, never on the request path.
 */
import type { ModelRegistry } from '../models/model-registry.js';
import type { Route } from './route.js';
import type { RouteConfig } from './route-schema.js';
import { createRoute, type RouteTableOptions } from './create-route.js';

export class RouteTable {
  private readonly routes = new Map<string, Route>();

  constructor(configs: readonly RouteConfig[], registry: ModelRegistry, options: RouteTableOptions) {
    // Experiments last: their arms are the other routes.
    const ordered = [...configs.filter((config) => config.strategy !== 'experiment'), ...configs.filter((config) => config.strategy === 'experiment')];
    const built = new Map<string, Route>();
    for (const config of ordered) built.set(config.name, createRoute(config, registry, { ...options, resolveRoute: (name) => built.get(name) }));
    // Kept in the config's order, for listings.
    for (const config of configs) this.routes.set(config.name, built.get(config.name)!);
  }

  get(name: string): Route | undefined {
    return this.routes.get(name);
  }

  names(): string[] {
    return [...this.routes.keys()];
  }
}
