/**
 * `learned`: scores the prompt in-process with a trained router (no network call) and sends
 * it to the strong model when the score reaches the threshold. A threshold given as
 * `strong_share` is calibrated once at startup on the route's calibration data.
 */
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../../config/config-error.js';
import type { ModelRegistry, ResolvedModel } from '../../models/model-registry.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import { calibrateThreshold } from '../evaluation/threshold-calibration.js';
import { readRoutingDataset } from '../evaluation/routing-dataset.js';
import { DEFAULT_ROUTER_PATH, loadLearnedRouter, promptTextFromMessages, type LearnedRouter } from '../learned/index.js';
import type { ChatOutcome } from '../../pipeline/chat-outcome.js';
import type { CallStep, Route, RouteRunContext } from '../route.js';
import { describeDecision, requireModel, runDecision, type RouteDecision } from '../route-decision.js';
import type { RouteConfigOf } from '../route-schema.js';
import type { ReviewConfig, ShadowConfig } from '../../shadow/shadow-schema.js';

export class LearnedRoute implements Route {
  readonly strategy = 'learned';
  readonly name: string;
  readonly weakModel: string;
  readonly strongModel: string;
  readonly threshold: number;
  private readonly router: LearnedRouter;
  readonly weak: ResolvedModel;
  readonly strong: ResolvedModel;
  /** Shadow tests and human review (src/shadow); undefined when off. */
  readonly shadow: ShadowConfig | undefined;
  readonly review: ReviewConfig | undefined;
  readonly callPlan: readonly CallStep[];

  constructor(config: RouteConfigOf<'learned'>, registry: ModelRegistry, configDirectory: string) {
    this.name = config.name;
    this.weakModel = config.weak;
    this.strongModel = config.strong;
    this.weak = requireModel(registry, config.name, 'weak', config.weak);
    this.strong = requireModel(registry, config.name, 'strong', config.strong);
    this.callPlan = [{ models: [this.weak, this.strong] }];
    this.shadow = config.shadow;
    this.review = config.review;
    const at = (path: string) => (isAbsolute(path) ? path : resolve(configDirectory, path));
    try {
      this.router = loadLearnedRouter(config.router ? at(config.router) : DEFAULT_ROUTER_PATH);
    } catch (error) {
      throw new ConfigError(`routes '${config.name}'.router: ${(error as Error).message}`);
    }
    if (config.threshold !== undefined) {
      this.threshold = config.threshold;
    } else {
      const scores: number[] = [];
      for (const file of config.calibration_data!) {
        for (const row of readRoutingDataset(at(file)).rows) scores.push(this.router.score(row.prompt));
      }
      this.threshold = calibrateThreshold(scores, config.strong_share!).threshold;
    }
  }

  /** The score of a request: higher means the weak model more likely falls short. */
  score(request: ChatCompletionRequest): number {
    return this.router.score(promptTextFromMessages(request.messages));
  }

  decide(request: ChatCompletionRequest): RouteDecision {
    const score = this.score(request);
    const toStrong = score >= this.threshold;
    return {
      model: toStrong ? this.strong : this.weak,
      label: toStrong ? 'strong' : 'weak',
      reason: `router score ${score.toFixed(4)} ${toStrong ? '≥' : '<'} threshold ${this.threshold.toFixed(4)}`,
      score,
    };
  }

  decideWithoutCall(request: ChatCompletionRequest): RouteDecision {
    return this.decide(request);
  }

  run(request: ChatCompletionRequest, context: RouteRunContext): Promise<ChatOutcome> {
    const decision = this.decide(request);
    return runDecision(request, context, describeDecision(context, this.name, this.strategy, decision), decision);
  }
}
