/**
 * Where a request's cost levers come from: the route it names, the model it names, and the key
 * calling it, each of which may set cache overrides, a context limit and an output cap
 * (config/lever-fields.ts). Looked up by name in maps built once per config, so a request pays
 * two map reads.
 */
import type { CacheOverride } from '../cache/cache-schema.js';
import type { GatewayConfig } from '../config/schema.js';
import type { ContextLimit } from '../context/context-schema.js';
import type { Principal } from '../governance/keys/authenticate.js';

export interface Levers {
  cache?: CacheOverride | undefined;
  context?: ContextLimit | undefined;
  max_output_tokens?: number | undefined;
}

const NO_LEVERS: readonly Levers[] = Object.freeze([]);

export class LeverTable {
  private readonly byName = new Map<string, Levers>();
  /** `[levers]` per name, built once: a caller without a key gets this list, not a new one. */
  private readonly namedOnly = new Map<string, readonly Levers[]>();

  constructor(config: GatewayConfig) {
    for (const route of config.routes) this.byName.set(route.name, route);
    for (const model of config.models) this.byName.set(model.name, model);
    for (const [name, levers] of this.byName) this.namedOnly.set(name, Object.freeze([levers]));
  }

  /** The levers that apply to a request, least specific first: the named route or model, then the key. */
  sources(model: string, principal: Principal): readonly Levers[] {
    if (principal.kind !== 'virtual-key') return this.namedOnly.get(model) ?? NO_LEVERS;
    const named = this.byName.get(model);
    return named ? [named, principal.key] : [principal.key];
  }
}
