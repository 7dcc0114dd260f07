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
    for (const config of configs) this.routes.set(config.name, createRoute(config, registry, options));
  }

  get(name: string): Route | undefined {
    return this.routes.get(name);
  }

  names(): string[] {
    return [...this.routes.keys()];
  }
}
