/**
 * `learned`: scores the prompt in-process with a trained router (no network call) and sends
 * it to the strong model when the score reaches the threshold. A threshold given as
 * `strong_share` is calibrated once at startup on the route's calibration data.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/** The router a route decides with now: replaced whole on reload, so a decision reads one consistent set. */
interface ServingRouter {
  router: LearnedRouter;
  /** The first 12 hex digits of the file's SHA-256: which file decided, in the log and the headers. */
  version: string;
  threshold: number;
}

export class LearnedRoute implements Route {
  readonly strategy = 'learned';
  readonly name: string;
  readonly weakModel: string;
  readonly strongModel: string;
  /** The router file this route reads (the shipped default when the config names none). */
  readonly routerPath: string;
  private serving: ServingRouter;
  private readonly config: RouteConfigOf<'learned'>;
  private readonly configDirectory: string;
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
    this.config = config;
    this.configDirectory = configDirectory;
    this.routerPath = config.router ? this.at(config.router) : DEFAULT_ROUTER_PATH;
    try {
      this.serving = this.loadServing();
    } catch (error) {
      throw new ConfigError(`routes '${config.name}'.router: ${(error as Error).message}`);
    }
  }

  get threshold(): number {
    return this.serving.threshold;
  }

  get routerVersion(): string {
    return this.serving.version;
  }

  /**
   * Reads the router file again and swaps it in (with its threshold recalibrated when the route
   * gives `strong_share`). Requests that have decided keep their decision; the next decides with
   * the new file. A file that fails to load throws, naming why, and the old router keeps serving.
   */
  reloadRouter(): { previous: string; version: string } {
    const previous = this.serving.version;
    this.serving = this.loadServing();
    return { previous, version: this.serving.version };
  }

  private at(path: string): string {
    return isAbsolute(path) ? path : resolve(this.configDirectory, path);
  }

  private loadServing(): ServingRouter {
    const version = createHash('sha256').update(readFileSync(this.routerPath)).digest('hex').slice(0, 12);
    const router = loadLearnedRouter(this.routerPath);
    const { config } = this;
    if (config.threshold !== undefined) return { router, version, threshold: config.threshold };
    const scores: number[] = [];
    for (const file of config.calibration_data!) {
      for (const row of readRoutingDataset(this.at(file)).rows) scores.push(router.score(row.prompt));
    }
    return { router, version, threshold: calibrateThreshold(scores, config.strong_share!).threshold };
  }

  /** The score of a request: higher means the weak model more likely falls short. */
  score(request: ChatCompletionRequest): number {
    return this.serving.router.score(promptTextFromMessages(request.messages));
  }

  /** The score of a text already reduced to what the router reads (a comparison's stored prompt). */
  scoreText(text: string): number {
    return this.serving.router.score(text);
  }

  decide(request: ChatCompletionRequest): RouteDecision & { routerVersion: string } {
    // One read of the serving router: a reload in the middle cannot mix two files in a decision.
    const { router, version, threshold } = this.serving;
    const score = router.score(promptTextFromMessages(request.messages));
    const toStrong = score >= threshold;
    return {
      model: toStrong ? this.strong : this.weak,
      label: toStrong ? 'strong' : 'weak',
      reason: `router ${version} score ${score.toFixed(4)} ${toStrong ? '≥' : '<'} threshold ${threshold.toFixed(4)}`,
      score,
      routerVersion: version,
    };
  }

  decideWithoutCall(request: ChatCompletionRequest): RouteDecision {
    return this.decide(request);
  }

  run(request: ChatCompletionRequest, context: RouteRunContext): Promise<ChatOutcome> {
    const decision = this.decide(request);
    const headers = describeDecision(context, this.name, this.strategy, decision);
    headers['x-switchboard-router-version'] = decision.routerVersion;
    return runDecision(request, context, headers, decision);
  }
}
