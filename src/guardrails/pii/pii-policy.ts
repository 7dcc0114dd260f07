/**
 * Which PII settings apply to a request: the global `guardrails.pii`, then the route's or the
 * model's the request names, then its key's, each changing the fields it sets (`false` turns
 * masking off at that level; pii-config.ts). One guard is built per distinct resolved setting
 * and kept, so detectors and phone metadata are set up once, not per request.
 */
import type { GatewayConfig } from '../../config/schema.js';
import type { Principal } from '../../governance/keys/authenticate.js';
import { createPiiGuard, type PiiGuard } from './pii-guard.js';
import { resolvePiiConfig, type PiiGuardrailConfig, type PiiOverride } from './pii-config.js';
import type { PiiDetector } from './entities.js';

/** Distinct settings kept; keys with settings of their own add to it, so it is bounded. */
const MAX_GUARDS = 64;

export class PiiPolicy {
  private readonly routeLevels = new Map<string, PiiOverride>();
  private readonly modelLevels = new Map<string, PiiOverride>();
  private readonly global: PiiGuardrailConfig | undefined;
  private readonly guards = new Map<string, PiiGuard>();

  constructor(
    config: Pick<GatewayConfig, 'guardrails' | 'routes' | 'models'>,
    private readonly options: { detectors?: readonly PiiDetector[] } = {},
  ) {
    this.global = config.guardrails.pii;
    for (const route of config.routes) if (route.guardrails?.pii !== undefined) this.routeLevels.set(route.name, route.guardrails.pii);
    for (const model of config.models) if (model.guardrails?.pii !== undefined) this.modelLevels.set(model.name, model.guardrails.pii);
  }

  /**
   * The guard for a request, or undefined when PII checks are off for it. `requested` is the
   * name the client sent, `current` the one the request now carries (degradation may have put a
   * weak model in place of a route): the route's setting follows the name the client sent, the
   * model's the model the request will go to.
   */
  guardFor(requested: string, current: string, principal: Principal): PiiGuard | undefined {
    const keyLevel = principal.kind === 'virtual-key' ? (principal.key.guardrails?.pii ?? undefined) : undefined;
    const routeLevel = this.routeLevels.get(requested) ?? this.routeLevels.get(current);
    const modelLevel = this.modelLevels.get(current) ?? this.modelLevels.get(requested);
    if (this.global === undefined && routeLevel === undefined && modelLevel === undefined && keyLevel === undefined) return undefined;
    const resolved = resolvePiiConfig([this.global, routeLevel, modelLevel, keyLevel]);
    if (!resolved) return undefined;
    const cacheKey = JSON.stringify(resolved);
    let guard = this.guards.get(cacheKey);
    if (!guard) {
      if (this.guards.size >= MAX_GUARDS) this.guards.delete(this.guards.keys().next().value!);
      guard = createPiiGuard(resolved, this.options);
      this.guards.set(cacheKey, guard);
    }
    return guard;
  }
}
