/**
 * Sends one request to a model through the reliability layer:
 *
 * 1. The model's deployments that are available (circuit closed or probing, not rate-limited,
 *    under their rpm/tpm) are load-balanced by the model's `load_balancing` strategy.
 * 2. A retryable failure (retry-policy.ts) moves to a deployment this request has not tried
 *    yet, at once; only a deployment tried before is retried after a jittered backoff, so a
 *    failing upstream is not hammered. `retry.attempts` calls per model, at most.
 * 3. Then the `fallbacks` models, in order. `context_length_exceeded` detours to
 *    `context_window_fallback`, a content-filter refusal to `content_filter_fallback`.
 * 4. Everything, sleeps included, fits in the request's total timeout: no sleep runs past it,
 *    and each call's own total timeout is what is left of it.
 *
 * Every attempt is pushed to `context.attempts` as it finishes, so a failed request logs them.
 */
import { GatewayError, InternalError, mapNetworkError, RateLimitError, ServiceUnavailableError } from '../errors/index.js';
import { isLocalFault } from './local-fault.js';
import type { ModelRegistry, ResolvedDeployment, ResolvedModel } from '../models/model-registry.js';
import type { CallOptions, CallTimeouts } from '../providers/provider.js';
import type { UpstreamLimits } from '../providers/shared/upstream-limits.js';
import type { AttemptRecord } from '../storage/request-record.js';

import type { DeploymentHealth, Lease } from './deployment-health.js';
import { HealthRegistry } from './health-registry.js';
import { chooseDeployment } from './load-balancer.js';
import { backoffDelayMs, classifyFailure, fitsBeforeDeadline, type FailureKind } from './retry-policy.js';
import { sleep } from './sleep.js';
import type { CancelSignal } from './cancel-signal.js';
import type { TracedRequest } from '../observability/tracing/traced-request.js';

export interface DispatchContext {
  signal?: CancelSignal;
  /** Filled in as attempts happen, so a failed request still logs them. */
  attempts: AttemptRecord[];
  /** The request's trace when it is traced: each attempt becomes a client span under it. */
  trace?: TracedRequest;
}

export interface Dispatched<T> {
  value: T;
  model: ResolvedModel;
  deployment: ResolvedDeployment;
  /**
   * With `holdOpen`, the deployment keeps this call in flight (and withholds its verdict) until
   * this is called: with nothing when the stream ended well, with the error when it broke.
   * Otherwise a no-op. Safe to call more than once.
   */
  release(error?: unknown): void;
  /** Counts tokens against the deployment's tpm. */
  recordTokens(tokens: number): void;
}

export interface DispatchOptions<T> {
  /** A successful value that is nevertheless a refusal (`finish_reason: content_filter`). */
  isRefusal?: (value: T) => boolean;
  /** For streams: the call is not over when `call` resolves; see `Dispatched.release`. */
  holdOpen?: boolean;
}

/** One upstream call on a deployment, with this attempt's timeouts, signal, limits and trace context. */
export type Call<T> = (deployment: ResolvedDeployment, options: CallOptions) => Promise<T>;

export interface DispatcherSettings {
  retry: { attempts: number; backoff_ms: number; max_backoff_ms: number };
  cooldown: { failures: number; window_ms: number; cooldown_ms: number };
  /** Byte bounds on each upstream body (`limits:`); the defaults when absent. */
  limits?: UpstreamLimits;
  /** Shared health (tests inject a clock through it). */
  health?: HealthRegistry;
  random?: () => number;
}

type ModelOutcome<T> =
  | { kind: 'served'; result: Dispatched<T> }
  | { kind: 'refused'; result: Dispatched<T> }
  | { kind: 'failed'; failure: FailureKind; error: GatewayError };

type Choice = { kind: 'call'; deployment: ResolvedDeployment; health: DeploymentHealth } | { kind: 'wait'; ms: number } | { kind: 'none'; retryAfterMs?: number };

export class Dispatcher {
  readonly health: HealthRegistry;
  private readonly random: () => number;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly timeouts: CallTimeouts,
    private readonly settings: DispatcherSettings,
  ) {
    this.health =
      settings.health ??
      new HealthRegistry({ failures: settings.cooldown.failures, windowMs: settings.cooldown.window_ms, cooldownMs: settings.cooldown.cooldown_ms, probeTimeoutMs: timeouts.totalMs });
    this.random = settings.random ?? Math.random;
  }

  async dispatch<T>(model: ResolvedModel, context: DispatchContext, call: Call<T>, options: DispatchOptions<T> = {}): Promise<Dispatched<T>> {
    const deadline = performance.now() + this.timeouts.totalMs;
    const visited = new Set<string>();
    let chain = model.config.fallbacks.length === 0 ? [model] : [model, ...this.resolve(model.config.fallbacks)];
    let lastError: GatewayError | undefined;
    let refused: Dispatched<T> | undefined;
    while (chain.length > 0) {
      const candidate = chain.shift()!;
      if (visited.has(candidate.name)) continue;
      visited.add(candidate.name);
      const lastResort = chain.length === 0 || chain.every((next) => visited.has(next.name));
      const outcome = await this.tryModel(candidate, context, call, options, deadline, lastResort);
      if (outcome.kind === 'served') return outcome.result;
      let detour: string | undefined;
      if (outcome.kind === 'refused') {
        refused ??= outcome.result;
        detour = candidate.config.content_filter_fallback;
        if (!detour) return outcome.result;
      } else {
        lastError = outcome.error;
        if (outcome.failure === 'fatal' || outcome.failure === 'cancelled') break;
        if (outcome.failure === 'context-window') detour = candidate.config.context_window_fallback ?? '';
        if (outcome.failure === 'content-filter') detour = candidate.config.content_filter_fallback ?? '';
      }
      if (detour !== undefined) {
        const target = this.registry.get(detour);
        if (!target || visited.has(target.name)) break;
        chain = [target, ...this.resolve(target.config.fallbacks)];
      }
    }
    if (refused) return refused;
    throw lastError ?? new ServiceUnavailableError(`No deployment of '${model.name}' could take the request in time.`, 'no_deployment_available');
  }

  /** Up to `retry.attempts` calls to the deployments of one model. */
  private async tryModel<T>(model: ResolvedModel, context: DispatchContext, call: Call<T>, options: DispatchOptions<T>, deadline: number, lastResort: boolean): Promise<ModelOutcome<T>> {
    const { signal } = context;
    const tried = new Set<string>();
    let previous: string | undefined;
    let retries = 0;
    let waits = 0;
    let lastError: GatewayError | undefined;
    let attempt = 0;
    while (attempt < this.settings.retry.attempts) {
      if (signal?.aborted) return { kind: 'failed', failure: 'cancelled', error: lastError ?? cancelledError(model) };
      const choice = this.choose(model, tried, previous, lastResort);
      if (choice.kind === 'wait') {
        // Every deployment asked us (Retry-After) to come back shortly: wait, if it fits.
        if (waits++ >= this.settings.retry.attempts || !fitsBeforeDeadline(performance.now(), choice.ms, deadline)) break;
        await sleep(choice.ms, signal);
        continue;
      }
      if (choice.kind === 'none') {
        lastError ??= unavailableError(model, choice.retryAfterMs);
        break;
      }
      const { deployment, health } = choice;
      let waitedMs = 0;
      if (tried.has(deployment.id)) {
        waitedMs = backoffDelayMs(retries++, { backoffMs: this.settings.retry.backoff_ms, maxBackoffMs: this.settings.retry.max_backoff_ms }, this.random);
        if (!fitsBeforeDeadline(performance.now(), waitedMs, deadline)) break;
        if (!(await sleep(waitedMs, signal))) continue; // aborted: reported at the top of the loop
      }
      const remainingMs = Math.floor(deadline - performance.now());
      if (remainingMs <= 0) break;
      attempt++;
      tried.add(deployment.id);
      previous = deployment.id;
      const outcome = await this.attempt(model, deployment, health, context, call, options, remainingMs, waitedMs);
      if (outcome.kind !== 'failed') return outcome;
      lastError = outcome.error;
      if (outcome.failure !== 'retry') return outcome;
    }
    return { kind: 'failed', failure: 'retry', error: lastError ?? deadlineError(model, this.timeouts.totalMs) };
  }

  /** One upstream call, its attempt record, and its verdict on the deployment's health. */
  private async attempt<T>(model: ResolvedModel, deployment: ResolvedDeployment, health: DeploymentHealth, context: DispatchContext, call: Call<T>, options: DispatchOptions<T>, remainingMs: number, waitedMs: number): Promise<ModelOutcome<T>> {
    const timeouts: CallTimeouts = {
      // Not shortened: connection pools are keyed by connect timeout, and the total below bounds it anyway.
      connectMs: this.timeouts.connectMs,
      firstTokenMs: Math.min(this.timeouts.firstTokenMs, remainingMs),
      totalMs: remainingMs,
    };
    const lease = health.start();
    const started = performance.now();
    const record: AttemptRecord = { deployment: deployment.id, model: model.name, provider: deployment.info.provider, status: null, error_code: null, latency_ms: 0 };
    if (waitedMs > 0) record.backoff_ms = waitedMs;
    // A client span per attempt when this request is traced (observability/tracing); else undefined.
    const span = context.trace?.startAttempt(model.name, deployment, context.attempts.length + 1);
    let value: T;
    try {
      value = await call(deployment, { timeouts, signal: context.signal, limits: this.settings.limits, traceparent: span?.traceparent });
    } catch (error) {
      if (isLocalFault(error)) {
        // Our failure, not the deployment's: no retry, no verdict on its health, a 500.
        record.error_code = 'internal_error';
        record.error_message = `local error before or while calling the upstream: ${String((error as Error).message).slice(0, 150)}`;
        record.latency_ms = elapsed(started);
        context.attempts.push(record);
        span?.end(record);
        health.finish(lease, { kind: 'neutral', code: 'internal_error' });
        return { kind: 'failed', failure: 'fatal', error: new InternalError(error) };
      }
      const gatewayError = error instanceof GatewayError ? error : mapNetworkError(error, { provider: deployment.info.provider, timeouts });
      const failure = classifyFailure(gatewayError, context.signal);
      record.status = (gatewayError as { upstreamStatus?: number }).upstreamStatus ?? null;
      record.error_code = failure === 'cancelled' ? 'client_closed_request' : gatewayError.code;
      record.error_message = gatewayError.message.slice(0, 200);
      record.latency_ms = elapsed(started);
      context.attempts.push(record);
      span?.end(record);
      health.finish(lease, failure === 'retry' ? { kind: 'failure', code: gatewayError.code, retryAfterMs: gatewayError.retryAfterMs } : { kind: 'neutral', code: gatewayError.code });
      return { kind: 'failed', failure, error: gatewayError };
    }
    record.status = 200;
    record.latency_ms = elapsed(started);
    context.attempts.push(record);
    span?.end(record);
    health.observeLatency(record.latency_ms);
    const result = this.dispatched(value, model, deployment, health, lease, record, context, options.holdOpen === true);
    if (options.isRefusal?.(value)) {
      record.error_code = 'content_filter';
      return { kind: 'refused', result };
    }
    return { kind: 'served', result };
  }

  private dispatched<T>(value: T, model: ResolvedModel, deployment: ResolvedDeployment, health: DeploymentHealth, lease: Lease, record: AttemptRecord, context: DispatchContext, holdOpen: boolean): Dispatched<T> {
    if (!holdOpen) {
      health.finish(lease, { kind: 'success' });
      return { value, model, deployment, release: NOOP, recordTokens: (tokens) => health.recordTokens(tokens) };
    }
    let released = false;
    const release = (error?: unknown) => {
      if (released) return;
      released = true;
      if (error === undefined) return health.finish(lease, { kind: 'success' });
      if (isLocalFault(error)) return health.finish(lease, { kind: 'neutral', code: 'internal_error' });
      const gatewayError = error instanceof GatewayError ? error : mapNetworkError(error, { provider: deployment.info.provider, timeouts: this.timeouts });
      const failure = classifyFailure(gatewayError, context.signal);
      // The stream broke after it started: the attempt record says why.
      record.error_code = failure === 'cancelled' ? 'client_closed_request' : gatewayError.code;
      record.error_message = gatewayError.message.slice(0, 200);
      health.finish(lease, failure === 'retry' ? { kind: 'failure', code: gatewayError.code } : { kind: 'neutral', code: gatewayError.code });
    };
    return { value, model, deployment, release, recordTokens: (tokens) => health.recordTokens(tokens) };
  }

  /**
   * The next deployment: an available one this request has not tried, else one other than the
   * one that just failed, else the same one. With none available, wait for a short Retry-After;
   * and when there is nowhere else to go (`lastResort`), the circuit is advisory: the deployment
   * whose cooldown ends first is tried rather than failing the request outright.
   */
  private choose(model: ResolvedModel, tried: Set<string>, previous: string | undefined, lastResort: boolean): Choice {
    // One deployment, available: the preferences below can only pick it, so skip building them.
    if (model.deployments.length === 1) {
      const deployment = model.deployments[0]!;
      const health = this.health.of(deployment.id);
      const availability = health.availability();
      if (availability === 'ready' || availability === 'probe') return { kind: 'call', deployment, health };
    }
    const entries = model.deployments.map((deployment) => {
      const health = this.health.of(deployment.id);
      return { deployment, health, availability: health.availability() };
    });
    let ready = entries.filter((entry) => entry.availability === 'ready' || entry.availability === 'probe');
    ready = preferring(ready, (entry) => !entry.health.atLimit(entry.deployment));
    ready = preferring(ready, (entry) => !tried.has(entry.deployment.id));
    ready = preferring(ready, (entry) => entry.deployment.id !== previous);
    if (ready.length > 0) {
      const picked = chooseDeployment(model.config.load_balancing, ready, this.random);
      return { kind: 'call', deployment: picked.deployment, health: picked.health };
    }
    const now = this.health.clock();
    const limited = entries.filter((entry) => entry.availability === 'rate-limited');
    const soonest = Math.min(...limited.map((entry) => entry.health.rateLimitedUntil));
    if (limited.length > 0 && soonest - now <= this.settings.retry.max_backoff_ms) return { kind: 'wait', ms: Math.max(1, soonest - now) };
    const cooling = entries.filter((entry) => entry.availability === 'cooling' || entry.availability === 'probe-busy');
    if (lastResort && cooling.length > 0) {
      const first = cooling.reduce((best, entry) => (entry.health.openUntil < best.health.openUntil ? entry : best));
      return { kind: 'call', deployment: first.deployment, health: first.health };
    }
    return { kind: 'none', retryAfterMs: limited.length > 0 ? soonest - now : undefined };
  }

  private resolve(names: readonly string[]): ResolvedModel[] {
    return names.map((name) => this.registry.get(name)).filter((model): model is ResolvedModel => model !== undefined);
  }
}

function NOOP(): void {}

/** The entries matching `predicate`, or all of them when none does. */
function preferring<E>(entries: E[], predicate: (entry: E) => boolean): E[] {
  const preferred = entries.filter(predicate);
  return preferred.length > 0 ? preferred : entries;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

function unavailableError(model: ResolvedModel, retryAfterMs: number | undefined): GatewayError {
  if (retryAfterMs !== undefined) {
    return new RateLimitError(`Every deployment of '${model.name}' is rate-limited by its upstream; retry later.`, { retryAfterMs, code: 'upstream_rate_limited' });
  }
  return new ServiceUnavailableError(`Every deployment of '${model.name}' is cooling down after repeated failures.`, 'no_healthy_deployment');
}

function deadlineError(model: ResolvedModel, totalMs: number): GatewayError {
  return new ServiceUnavailableError(`No deployment of '${model.name}' answered within the total timeout of ${totalMs} ms.`, 'deadline_exceeded');
}

function cancelledError(model: ResolvedModel): GatewayError {
  return new ServiceUnavailableError(`The request for '${model.name}' was cancelled: the client went away.`, 'client_closed_request');
}
