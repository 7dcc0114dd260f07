/**
 * Admission of one chat request, before it goes upstream, and its settlement afterwards:
 *
 *   scope check → degrade (from budget usage) → rate limit → reserve the maximum cost
 *   … upstream call …
 *   settle: replace the reservation with the actual cost (0 on failure), correct TPM.
 *
 * Reserve-then-settle is what keeps a budget exact under concurrency: 100 requests arriving
 * together each hold their worst case, so the ones that do not fit are refused up front
 * instead of all passing a "spent < budget" check and overspending together.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { computeCost } from '../cost/compute-cost.js';
import { loadTokenizer } from '../cost/token-counter.js';
import { BudgetExceededError, PermissionError, RateLimitError } from '../errors/index.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { ChatCompletionRequest } from '../protocol/chat-types.js';
import type { RouteTable } from '../routing/route-table.js';
import type { RequestLogStore } from '../storage/request-log-store.js';
import type { RequestRecord } from '../storage/request-record.js';
import { budgetWindow, type BudgetWindow } from './budgets/budget-window.js';
import { scopesFor, type Scope } from './budgets/budget-scopes.js';
import { estimateReservation, type ReservationEstimate } from './budgets/reservation-estimate.js';
import { NANO_USD, type BudgetCounter, type CounterStore, type RateCounter } from './counters/counter-store.js';
import { applyDegradation, decideDegradation, emptyPlan, type DegradationPlan } from './degradation/degradation-plan.js';
import type { GovernanceConfig } from './governance-schema.js';
import type { Principal } from './keys/authenticate.js';
import { formatDuration, rateLimitHeaders } from './rate-limits/rate-limit-headers.js';

const MINUTE_MS = 60_000;
const PERIOD_ADJECTIVE = { day: 'daily', week: 'weekly', month: 'monthly' } as const;
/** Counters outlive their window by a day, so a late settlement still finds them. */
const COUNTER_GRACE_MS = 86_400_000;

export interface AdmissionServices {
  config: GovernanceConfig;
  counters: CounterStore;
  registry: ModelRegistry;
  routes: RouteTable;
  store: RequestLogStore;
  logger: Logger;
  /** Counters this process has seeded from the request log, by counter key. */
  seeded: Map<string, Promise<void>>;
}

export interface Admission {
  /** Headers for the response: `x-ratelimit-*`, `x-switchboard-degraded`. */
  headers: Record<string, string>;
  /** Settles the reservation to the record's actual cost and tokens. Never throws. */
  settle(record: RequestRecord): Promise<void>;
}

const NOTHING_TO_SETTLE: Admission = { headers: {}, settle: async () => {} };

interface PlannedBudget {
  scope: Scope;
  unit: 'usd' | 'tokens';
  window: BudgetWindow;
  counter: BudgetCounter;
}

export async function admitChatRequest(services: AdmissionServices, principal: Principal, request: ChatCompletionRequest, record: RequestRecord): Promise<Admission> {
  const key = principal.kind === 'virtual-key' ? principal.key : undefined;
  if (key?.models && !key.models.includes(request.model)) {
    throw new PermissionError(`The key '${key.name}' may not use '${request.model}'. It may use: ${key.models.join(', ')}.`, 'model_not_allowed');
  }
  const scopes = scopesFor(key, request.user, services.config);
  if (scopes.length === 0) return NOTHING_TO_SETTLE;
  // Reservations count prompt tokens with the real tokenizer. It loads once (~300 ms of CPU),
  // on the first limited request rather than at startup, so unlimited gateways never pay for it.
  await loadTokenizer();
  const now = Date.now();

  // Degradation reads how full each budget is before deciding what to reserve.
  let plan = emptyPlan();
  const degradable = scopes.filter((scope) => scope.limits.degradation);
  if (degradable.length > 0) {
    const probe = planBudgets(scopes, { promptTokens: 0, maxOutputTokens: 0, tokens: 0, costUsd: 0 }, plan, now).filter((budget) => budget.scope.limits.degradation);
    await seedCounters(services, probe);
    const used = await services.counters.usage(probe.map((budget) => budget.counter.key));
    const usages = degradable.map((scope) => ({
      scope,
      share: Math.max(0, ...probe.map((budget, index) => (budget.scope === scope ? used[index]! / budget.counter.limit : 0))),
    }));
    plan = decideDegradation(usages, request.model, services.registry, services.routes);
  }
  const originalModel = request.model;
  let degraded = applyDegradation(request, plan);
  let estimate = estimateReservation(request, services.registry, services.routes, services.config.default_max_output_tokens);

  const entryId = randomUUID();
  const rate = await acquireRate(services, scopes, estimate, entryId);
  const releaseRate = () => Promise.all(rate.counters.map((counter) => services.counters.adjustRate(entryId, counter.key, 0, counter.windowMs)));

  const reservationId = randomUUID();
  let budgets = planBudgets(scopes, estimate, plan, now);
  try {
    await seedCounters(services, budgets);
    let result = await services.counters.reserve(reservationId, budgets.map((budget) => budget.counter), services.config.reservation_ttl_ms);
    if (!result.ok) {
      const failed = budgets[result.index]!;
      // A `weak_only` policy turns "no room" into "weak model, past the cap" rather than a refusal.
      if (failed.scope.limits.degradation?.at_limit === 'weak_only' && !plan.uncappedScopes.has(scopeName(failed.scope))) {
        const weakOnly = decideDegradation([{ scope: failed.scope, share: 1 }], originalModel, services.registry, services.routes);
        plan.weakModel ??= weakOnly.weakModel;
        plan.strongModel ??= weakOnly.strongModel;
        if (plan.weakModel) plan.uncappedScopes.add(scopeName(failed.scope));
        plan.reasons.push(...weakOnly.reasons);
        degraded = applyDegradation(request, plan);
        estimate = estimateReservation(request, services.registry, services.routes, services.config.default_max_output_tokens);
        budgets = planBudgets(scopes, estimate, plan, now);
        result = await services.counters.reserve(reservationId, budgets.map((budget) => budget.counter), services.config.reservation_ttl_ms);
      }
      if (!result.ok) throw budgetExceeded(budgets[result.index]!, result.used, now);
    }
  } catch (error) {
    await releaseRate().catch(() => {});
    throw error;
  }

  const headers: Record<string, string> = { ...rate.headers };
  if (degraded) {
    headers['x-switchboard-degraded'] = degraded;
    record.degradation = degraded.slice(0, 500);
  }
  return {
    headers,
    async settle(finished) {
      try {
        const tokens = finished.prompt_tokens + finished.completion_tokens;
        const actualNano = Math.ceil(finished.cost_usd * NANO_USD);
        await services.counters.settle(
          reservationId,
          budgets.map((budget) => ({ key: budget.counter.key, actual: budget.unit === 'usd' ? actualNano : tokens, expiresAt: budget.counter.expiresAt })),
        );
        for (const counter of rate.counters) {
          if (counter.key.endsWith(':tpm')) await services.counters.adjustRate(entryId, counter.key, tokens, counter.windowMs);
        }
        const strong = plan.weakModel && plan.strongModel ? services.registry.get(plan.strongModel) : undefined;
        if (strong?.price) {
          finished.baseline_cost_usd = computeCost(
            { promptTokens: finished.prompt_tokens, completionTokens: finished.completion_tokens, cachedTokens: finished.cached_tokens, cacheWriteTokens: 0, reasoningTokens: finished.reasoning_tokens },
            strong.price,
          );
        }
      } catch (error) {
        // The hold expires after reservation_ttl_ms; better than failing a finished response.
        services.logger.error({ err: error, reservationId }, 'budget settlement failed');
      }
    },
  };
}

function scopeName(scope: Scope): string {
  return `${scope.kind}:${scope.id}`;
}

function planBudgets(scopes: readonly Scope[], estimate: ReservationEstimate, plan: DegradationPlan, now: number): PlannedBudget[] {
  const budgets: PlannedBudget[] = [];
  for (const scope of scopes) {
    const { budget_usd: usd, budget_tokens: tokens, budget_period: period } = scope.limits;
    const window = budgetWindow(period, now);
    const uncapped = plan.uncappedScopes.has(scopeName(scope));
    const base = `${scopeName(scope)}:${period}:${window.start}`;
    const expiresAt = window.end + COUNTER_GRACE_MS;
    if (usd !== undefined) {
      budgets.push({ scope, unit: 'usd', window, counter: { key: `${base}:usd`, limit: uncapped ? Infinity : Math.round(usd * NANO_USD), amount: Math.ceil(estimate.costUsd * NANO_USD), expiresAt } });
    }
    if (tokens !== undefined) {
      budgets.push({ scope, unit: 'tokens', window, counter: { key: `${base}:tokens`, limit: uncapped ? Infinity : tokens, amount: estimate.tokens, expiresAt } });
    }
  }
  return budgets;
}

/**
 * A counter this process has not used yet starts from the request log (a restart of the
 * memory backend, or a flushed Redis), so a restart never hands out a budget twice.
 */
async function seedCounters(services: AdmissionServices, budgets: readonly PlannedBudget[]): Promise<void> {
  await Promise.all(
    budgets.map((budget) => {
      let seeding = services.seeded.get(budget.counter.key);
      if (!seeding) {
        seeding = (async () => {
          const rows = await services.store.spend({ groupBy: budget.scope.kind, from: budget.window.start, to: budget.window.end });
          const row = rows.find((candidate) => candidate.group === budget.scope.id);
          const settled = !row ? 0 : budget.unit === 'usd' ? Math.ceil(row.cost_usd * NANO_USD) : row.total_tokens;
          await services.counters.seed(budget.counter.key, settled, budget.counter.expiresAt);
        })();
        seeding.catch(() => services.seeded.delete(budget.counter.key));
        services.seeded.set(budget.counter.key, seeding);
      }
      return seeding;
    }),
  );
}

async function acquireRate(services: AdmissionServices, scopes: readonly Scope[], estimate: ReservationEstimate, entryId: string) {
  const counters: RateCounter[] = [];
  const owners: Scope[] = [];
  for (const scope of scopes) {
    if (scope.limits.rpm !== undefined) {
      counters.push({ key: `${scopeName(scope)}:rpm`, limit: scope.limits.rpm, weight: 1, windowMs: MINUTE_MS });
      owners.push(scope);
    }
    if (scope.limits.tpm !== undefined) {
      if (estimate.tokens > scope.limits.tpm) {
        throw new RateLimitError(`Request too large for ${scope.label}: it may use up to ${estimate.tokens} tokens (prompt plus max_tokens) and the limit is ${scope.limits.tpm} tokens per minute. Lower max_tokens.`);
      }
      counters.push({ key: `${scopeName(scope)}:tpm`, limit: scope.limits.tpm, weight: estimate.tokens, windowMs: MINUTE_MS });
      owners.push(scope);
    }
  }
  if (counters.length === 0) return { counters, headers: {} as Record<string, string> };
  const result = await services.counters.acquireRate(entryId, counters);
  const byUnit = (unit: 'rpm' | 'tpm') => result.states.filter((_, index) => counters[index]!.key.endsWith(`:${unit}`));
  const headers = rateLimitHeaders(byUnit('rpm'), byUnit('tpm'));
  if (!result.ok) {
    const counter = counters[result.index]!;
    const state = result.states[result.index]!;
    const unit = counter.key.endsWith(':rpm') ? 'requests' : 'tokens';
    throw new RateLimitError(
      `Rate limit reached for ${owners[result.index]!.label}: ${counter.limit} ${unit} per minute. Please try again in ${formatDuration(state.resetMs)}.`,
      { retryAfterMs: state.resetMs, headers },
    );
  }
  return { counters, headers };
}

function budgetExceeded(budget: PlannedBudget, used: number, now: number): BudgetExceededError {
  const { scope, unit, window } = budget;
  const limit = unit === 'usd' ? `$${(budget.counter.limit / NANO_USD).toFixed(4)}` : `${budget.counter.limit} tokens`;
  const spent = unit === 'usd' ? `$${(used / NANO_USD).toFixed(4)}` : `${used} tokens`;
  const resets = new Date(window.end).toISOString();
  return new BudgetExceededError(
    `Budget exceeded for ${scope.label}: the ${PERIOD_ADJECTIVE[window.period]} budget of ${limit} (window ${new Date(window.start).toISOString()} to ${resets}, UTC) has ${spent} spent or reserved, ` +
      `which leaves no room for this request's maximum cost. It resets at ${resets}.`,
    { retryAfterMs: window.end - now, headers: { 'x-switchboard-budget': `${scope.kind}:${scope.id}`, 'x-switchboard-budget-reset': resets } },
  );
}
