/** `fixed`: always the same model. Useful as an alias, and as a baseline in shadow tests. */
import type { ModelRegistry } from '../../models/model-registry.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { ChatOutcome } from '../../pipeline/chat-outcome.js';
import type { CallStep, Route, RouteRunContext } from '../route.js';
import { describeDecision, requireModel, runDecision, type RouteDecision } from '../route-decision.js';
import type { RouteConfigOf } from '../route-schema.js';

export class FixedRoute implements Route {
  readonly strategy = 'fixed';
  readonly name: string;
  readonly strongModel?: string;
  private readonly decision: RouteDecision;
  readonly callPlan: readonly CallStep[];

  constructor(config: RouteConfigOf<'fixed'>, registry: ModelRegistry) {
    this.name = config.name;
    this.strongModel = config.strong;
    if (config.strong) requireModel(registry, config.name, 'strong', config.strong);
    this.decision = { model: requireModel(registry, config.name, 'model', config.model), label: 'fixed', reason: `always ${config.model}` };
    this.callPlan = [{ models: [this.decision.model] }];
  }

  run(request: ChatCompletionRequest, context: RouteRunContext): Promise<ChatOutcome> {
    return runDecision(request, context, describeDecision(context, this.name, this.strategy, this.decision), this.decision);
  }
}
