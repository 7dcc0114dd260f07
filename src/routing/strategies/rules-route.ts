/**
 * `rules`: an ordered list, first match wins; `default` otherwise. The usual policy: legal,
 * medical or billing-dispute requests always go to the flagship, the rest to the cheap model.
 */
import type { ModelRegistry, ResolvedModel } from '../../models/model-registry.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { ChatOutcome } from '../../pipeline/chat-outcome.js';
import type { CallStep, Route, RouteRunContext } from '../route.js';
import { describeDecision, requireModel, runDecision, type RouteDecision } from '../route-decision.js';
import { RequestFacts } from '../request-facts.js';
import type { RouteConfigOf } from '../route-schema.js';
import { compileRule, type RulePredicate } from './rule-matcher.js';

interface CompiledRule {
  matches: RulePredicate;
  decision: RouteDecision;
}

export class RulesRoute implements Route {
  readonly strategy = 'rules';
  readonly name: string;
  readonly weakModel?: string;
  readonly strongModel?: string;
  private readonly rules: CompiledRule[];
  private readonly fallback: RouteDecision;
  readonly callPlan: readonly CallStep[];

  constructor(config: RouteConfigOf<'rules'>, registry: ModelRegistry) {
    this.name = config.name;
    this.weakModel = config.weak ?? config.default;
    this.strongModel = config.strong;
    if (config.strong) requireModel(registry, config.name, 'strong', config.strong);
    this.rules = config.rules.map((rule, index) => {
      const model: ResolvedModel = requireModel(registry, config.name, `rules[${index}].model`, rule.model);
      return {
        matches: compileRule(rule.when, `routes '${config.name}'.rules[${index}].when`),
        decision: { model, label: `rule:${index}`, reason: rule.reason ?? `rule ${index} matched` },
      };
    });
    this.fallback = { model: requireModel(registry, config.name, 'default', config.default), label: 'default', reason: 'no rule matched' };
    this.callPlan = [{ models: [...new Set([...this.rules.map((rule) => rule.decision.model), this.fallback.model])] }];
  }

  decide(facts: RequestFacts): RouteDecision {
    for (const rule of this.rules) if (rule.matches(facts)) return rule.decision;
    return this.fallback;
  }

  run(request: ChatCompletionRequest, context: RouteRunContext): Promise<ChatOutcome> {
    const decision = this.decide(new RequestFacts(request, context.httpHeaders, context.record.key_id));
    return runDecision(request, context, describeDecision(context, this.name, this.strategy, decision), decision);
  }
}
