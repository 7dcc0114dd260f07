/**
 * Runs shadow calls and what follows them, off the request path: the call to the model the
 * router did not choose, the comparison record once the served answer is complete, and the
 * judge. A route admits at most `max_concurrency` shadow calls at once; a sampled request beyond
 * that, or past the day's shadow budget, is simply not shadowed (nothing queues, so a slow model
 * cannot pile up memory). Every job is tracked, so shutdown waits for them until the drain
 * deadline and then cancels the rest.
 */
import { randomBytes } from 'node:crypto';
import type { ChatExecutor } from '../execution/chat-executor.js';
import { completionText } from '../execution/priced-call.js';
import { estimateReservation, withFallbacks } from '../governance/budgets/reservation-estimate.js';
import type { Judge } from '../judge/judge.js';
import type { Logger } from '../logging/logger.js';
import type { ModelRegistry, ResolvedModel } from '../models/model-registry.js';
import type { GatewayMetrics } from '../observability/metrics/gateway-metrics.js';
import type { ChatCompletionRequest } from '../protocol/chat-types.js';
import type { CancelSignal } from '../reliability/cancel-signal.js';
import { diffAnswers } from './answer-diff.js';
import type { ComparedAnswer, Comparison } from './comparison.js';
import { newCallId, type ComparisonStore } from './comparison-store.js';
import type { ReviewConfig, ShadowConfig } from './shadow-schema.js';
import type { ShadowBudget } from './shadow-budget.js';

/** The served answer, once delivered; undefined when it failed or the client went away. */
export type ServedAnswer = Omit<ComparedAnswer, 'model'> & { model: string };

export interface ShadowJob {
  route: string;
  shadow: ShadowConfig;
  review: ReviewConfig | undefined;
  requestId: string;
  keyId: () => string | null;
  prompt: string;
  served: 'weak' | 'strong';
  /** The model the router did not choose. */
  other: ResolvedModel;
  /** The request as the route ran it; the shadow call sends a non-streaming copy. */
  request: ChatCompletionRequest;
  executor: ChatExecutor;
  registry: ModelRegistry;
  defaultMaxOutputTokens: number;
  /** Resolves when the served answer is delivered (finish hook). */
  servedAnswer: Promise<ServedAnswer | undefined>;
  /** The client's cancel: a shadow call does not outlive it. */
  clientSignal: CancelSignal;
}

export interface ShadowRunnerServices {
  store: ComparisonStore;
  budget: ShadowBudget;
  judge: Judge;
  logger: Logger;
  metrics: () => GatewayMetrics | undefined;
}

export class ShadowRunner {
  private readonly active = new Map<string, number>();
  private readonly jobs = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private closing = false;

  constructor(private readonly services: ShadowRunnerServices) {}

  /** Takes a shadow slot on the route if the request is sampled and one is free; `release` gives it back. */
  admit(route: string, shadow: ShadowConfig): boolean {
    if (this.closing || shadow.sample <= 0 || Math.random() >= shadow.sample) return false;
    const running = this.active.get(route) ?? 0;
    if (running >= shadow.max_concurrency) return false;
    this.active.set(route, running + 1);
    return true;
  }

  release(route: string): void {
    this.active.set(route, Math.max(0, (this.active.get(route) ?? 1) - 1));
  }

  /** Shadow calls running now on a route (tests, /api/comparisons). */
  running(route: string): number {
    return this.active.get(route) ?? 0;
  }

  /** Starts the job in the background; the caller's request does not wait for it. */
  start(job: ShadowJob): void {
    const controller = new AbortController();
    const onClientCancel = () => controller.abort(job.clientSignal.reason);
    job.clientSignal.addEventListener('abort', onClientCancel);
    this.controllers.add(controller);
    const running = this.run(job, controller.signal)
      .catch((error: unknown) => this.services.logger.warn({ err: error, route: job.route, requestId: job.requestId }, 'shadow test failed'))
      .finally(() => {
        job.clientSignal.removeEventListener('abort', onClientCancel);
        this.controllers.delete(controller);
        this.jobs.delete(running);
      });
    this.jobs.add(running);
  }

  /** Waits for running jobs until `deadline`, then cancels what is left. */
  async drain(deadline: number): Promise<void> {
    this.closing = true;
    while (this.jobs.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    if (this.jobs.size === 0) return;
    this.services.logger.warn({ jobs: this.jobs.size }, 'drain timeout reached; cancelling shadow calls and judgements');
    for (const controller of this.controllers) controller.abort(new DOMException('The gateway is shutting down', 'AbortError'));
    await Promise.allSettled([...this.jobs]);
  }

  private async run(job: ShadowJob, signal: AbortSignal): Promise<void> {
    let shadowAnswer: ComparedAnswer | undefined;
    let shadowCost = 0;
    try {
      shadowAnswer = await this.callOther(job, signal);
      shadowCost = shadowAnswer?.cost_usd ?? 0;
    } finally {
      this.release(job.route);
    }
    const served = await job.servedAnswer;
    if (!shadowAnswer || !served || signal.aborted) return;
    const servedAnswer: ComparedAnswer = { ...served };
    const weak = job.served === 'weak' ? servedAnswer : shadowAnswer;
    const strong = job.served === 'weak' ? shadowAnswer : servedAnswer;
    const comparison: Comparison = {
      id: `cmp_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`,
      created_at: Date.now(),
      request_id: job.requestId,
      route: job.route,
      key_id: job.keyId(),
      served: job.served,
      prompt: job.prompt,
      weak,
      strong,
      shadow_cost_usd: shadowCost,
      diff: diffAnswers(weak.answer, strong.answer),
      judgement: null,
      review: null,
    };
    await this.services.store.insert(comparison);
    this.services.metrics()?.shadowCompared({ route: job.route, agreed: comparison.diff.exact_match });
    const { judge } = this.services;
    if (!judge.sampled()) return;
    const judgement = await judge.judge(comparison, signal);
    if (!judgement) return;
    const queueReview = job.review !== undefined && job.review.sample > 0 && Math.random() < job.review.sample;
    await this.services.store.recordJudgement(comparison.id, judgement, queueReview);
  }

  /** The shadow call, held on the route's shadow budget; undefined when the budget has no room or the call failed. */
  private async callOther(job: ShadowJob, signal: AbortSignal): Promise<ComparedAnswer | undefined> {
    const { stream: _stream, stream_options: _options, ...rest } = job.request;
    let request: ChatCompletionRequest = { ...rest, model: job.other.name };
    const estimate = estimateReservation(request, [{ models: withFallbacks([job.other], job.registry) }], job.defaultMaxOutputTokens);
    if (estimate.capOutputAt !== undefined) request = { ...request, max_tokens: estimate.capOutputAt };
    const hold = await this.services.budget.reserve(job.route, job.shadow.budget_usd_per_day, estimate.costUsd, `shadow:${job.requestId}`);
    if (!hold) {
      this.services.logger.debug({ route: job.route, requestId: job.requestId }, 'shadow budget for today is spent; request not shadowed');
      return undefined;
    }
    const started = performance.now();
    let cost = 0;
    let tokens = { prompt: 0, completion: 0 };
    let failure: string | null = null;
    try {
      const call = await job.executor.complete(job.other, request, { signal, attempts: [] });
      cost = call.cost.costUsd;
      tokens = { prompt: call.cost.tokens.promptTokens, completion: call.cost.tokens.completionTokens };
      return {
        model: job.other.name,
        answer: completionText(call.completion.choices[0]?.message),
        latency_ms: Math.round((performance.now() - started) * 100) / 100,
        cost_usd: cost,
        prompt_tokens: tokens.prompt,
        completion_tokens: tokens.completion,
      };
    } catch (error) {
      failure = signal.aborted ? 'cancelled' : error instanceof Error ? error.message.slice(0, 500) : String(error);
      if (!signal.aborted) this.services.logger.warn({ err: error, route: job.route, requestId: job.requestId }, 'shadow call failed');
      return undefined;
    } finally {
      await hold.settle(cost);
      // Every shadow call is logged with its price, answered or not: /api/spend reports them from here.
      await this.services.store.insertCall({
        id: newCallId(),
        at: Date.now(),
        kind: 'shadow',
        route: job.route,
        request_id: job.requestId,
        comparison_id: null,
        model: job.other.name,
        prompt_tokens: tokens.prompt,
        completion_tokens: tokens.completion,
        cost_usd: cost,
        latency_ms: Math.round((performance.now() - started) * 100) / 100,
        error: failure,
      });
    }
  }
}
