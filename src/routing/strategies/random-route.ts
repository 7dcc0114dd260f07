/** `random`: the baseline every smarter router must beat. Sends `strong_share` of requests to the strong model. */
import type { ModelRegistry, ResolvedModel } from '../../models/model-registry.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { ChatOutcome } from '../../pipeline/chat-outcome.js';
import type { CallStep, Route, RouteRunContext } from '../route.js';
import { describeDecision, requireModel, runDecision } from '../route-decision.js';
import type { RouteConfigOf } from '../route-schema.js';

export class RandomRoute implements Route {
  readonly strategy = 'random';
  readonly name: string;
  readonly weakModel: string;
  readonly strongModel: string;
  private readonly weak: ResolvedModel;
  private readonly strong: ResolvedModel;
  readonly callPlan: readonly CallStep[];

  constructor(
    private readonly config: RouteConfigOf<'random'>,
    registry: ModelRegistry,
    private readonly random: () => number = Math.random,
  ) {
    this.name = config.name;
    this.weakModel = config.weak;
    this.strongModel = config.strong;
    this.weak = requireModel(registry, config.name, 'weak', config.weak);
    this.strong = requireModel(registry, config.name, 'strong', config.strong);
    this.callPlan = [{ models: [this.weak, this.strong] }];
  }

  run(request: ChatCompletionRequest, context: RouteRunContext): Promise<ChatOutcome> {
    const draw = this.random();
    const toStrong = draw < this.config.strong_share;
    const decision = {
      model: toStrong ? this.strong : this.weak,
      label: toStrong ? 'strong' : 'weak',
      reason: `random draw ${draw.toFixed(3)} ${toStrong ? '<' : '≥'} strong_share ${this.config.strong_share}`,
    };
    return runDecision(request, context, describeDecision(context, this.name, this.strategy, decision), decision);
  }
}
