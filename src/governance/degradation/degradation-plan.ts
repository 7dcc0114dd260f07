/**
 * Progressive degradation: as a key's or team's budget fills, serve cheaper instead of failing.
 * Each policy step applies once its share of the budget is used (the highest step reached wins;
 * across scopes the actions combine). At 100% the policy either blocks (the reservation fails:
 * a hard cap) or allows only the weak model (`weak_only`: a soft cap for the weak model).
 */
import type { ModelRegistry } from '../../models/model-registry.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { RouteTable } from '../../routing/route-table.js';
import type { Scope } from '../budgets/budget-scopes.js';
import type { DegradationPolicy } from '../governance-schema.js';

export interface ScopeUsage {
  scope: Scope;
  /** Largest used share of the scope's budgets (1 = exhausted). */
  share: number;
}

export interface DegradationPlan {
  /** Serve this model instead of the requested one or route. */
  weakModel?: string;
  /** What the request would have used: its savings baseline. */
  strongModel?: string;
  maxTokens?: number;
  conciseInstruction?: string;
  /** Scopes past their limit whose policy allows weak-only: their cap is not enforced. */
  uncappedScopes: Set<string>;
  reasons: string[];
}

export function emptyPlan(): DegradationPlan {
  return { uncappedScopes: new Set(), reasons: [] };
}

export function decideDegradation(usages: readonly ScopeUsage[], requestedModel: string, registry: ModelRegistry, routes: RouteTable): DegradationPlan {
  const plan = emptyPlan();
  for (const { scope, share } of usages) {
    const policy = scope.limits.degradation;
    if (!policy) continue;
    const percent = `${Math.floor(share * 100)}%`;
    if (share >= 1 && policy.at_limit === 'weak_only') {
      if (chooseWeak(plan, policy, requestedModel, registry, routes)) {
        plan.uncappedScopes.add(`${scope.kind}:${scope.id}`);
        plan.reasons.push(`${scope.kind} budget ${percent} used: weak model only`);
      }
      continue;
    }
    const step = [...policy.steps].sort((a, b) => b.at - a.at).find((candidate) => share >= candidate.at);
    if (!step) continue;
    const actions: string[] = [];
    if (step.use_weak_model && chooseWeak(plan, policy, requestedModel, registry, routes)) actions.push('weak model');
    if (step.max_tokens !== undefined) {
      plan.maxTokens = Math.min(plan.maxTokens ?? Infinity, step.max_tokens);
      actions.push(`max_tokens ${step.max_tokens}`);
    }
    if (step.concise) {
      plan.conciseInstruction = policy.concise_instruction;
      actions.push('concise');
    }
    if (actions.length > 0) plan.reasons.push(`${scope.kind} budget ${percent} used (step at ${Math.round(step.at * 100)}%): ${actions.join(', ')}`);
  }
  return plan;
}

/** The weak model for a request: its route's weak model, the weak side of a route whose strong model it names, or the policy's. */
function chooseWeak(plan: DegradationPlan, policy: DegradationPolicy, requested: string, registry: ModelRegistry, routes: RouteTable): boolean {
  if (plan.weakModel) return true;
  const route = registry.has(requested) ? undefined : routes.get(requested);
  let weak: string | undefined;
  let strong: string | undefined;
  if (route?.weakModel) {
    weak = route.weakModel;
    strong = route.strongModel;
  } else {
    for (const name of routes.names()) {
      const candidate = routes.get(name);
      if (candidate?.strongModel === requested && candidate.weakModel) {
        weak = candidate.weakModel;
        break;
      }
    }
    weak ??= policy.weak_model;
    strong = requested;
  }
  if (!weak || weak === requested || !registry.has(weak)) return false;
  plan.weakModel = weak;
  plan.strongModel = strong && registry.has(strong) ? strong : undefined;
  return true;
}

/** Rewrites the request per the plan (idempotent); returns the `x-switchboard-degraded` text, or undefined. */
export function applyDegradation(request: ChatCompletionRequest, plan: DegradationPlan): string | undefined {
  if (plan.reasons.length === 0) return undefined;
  const applied: string[] = [];
  if (plan.weakModel) {
    applied.push(`model=${plan.weakModel}`);
    request.model = plan.weakModel;
  }
  if (plan.maxTokens !== undefined) {
    if (request.max_completion_tokens != null) request.max_completion_tokens = Math.min(request.max_completion_tokens, plan.maxTokens);
    else request.max_tokens = Math.min(request.max_tokens ?? plan.maxTokens, plan.maxTokens);
    applied.push(`max_tokens=${request.max_completion_tokens ?? request.max_tokens}`);
  }
  if (plan.conciseInstruction) {
    // Applied at most once, even when a plan is re-applied after the weak-only fallback.
    if (request.messages[0]?.content !== plan.conciseInstruction) request.messages = [{ role: 'system', content: plan.conciseInstruction }, ...request.messages];
    applied.push('concise');
  }
  return `${applied.join(', ')}; reason: ${plan.reasons.join('; ')}`;
}
