/**
 * Holds a request's share of every limit that applies to it: a slot in each rpm/tpm window and
 * its maximum cost on each budget counter, all or nothing, and turns the hold into the actual
 * amounts once the request is over. Shared by every kind of request (admission.ts).
 */
import { randomUUID } from 'node:crypto';
import { BudgetExceededError, RateLimitError } from '../../errors/index.js';
import type { RequestRecord } from '../../storage/request-record.js';
import { budgetWindow, type BudgetWindow } from '../budgets/budget-window.js';
import type { Scope } from '../budgets/budget-scopes.js';
import type { ReservationEstimate } from '../budgets/reservation-estimate.js';
import { NANO_USD, type BudgetCounter, type RateCounter } from '../counters/counter-store.js';
import { formatDuration, rateLimitHeaders } from '../rate-limits/rate-limit-headers.js';
import type { AdmissionServices } from './admission.js';

const MINUTE_MS = 60_000;
const PERIOD_ADJECTIVE = { day: 'daily', week: 'weekly', month: 'monthly' } as const;
/** Counters outlive their window by a day, so a late settlement still finds them. */
const COUNTER_GRACE_MS = 86_400_000;

export interface PlannedBudget {
  scope: Scope;
  unit: 'usd' | 'tokens';
  window: BudgetWindow;
  counter: BudgetCounter;
}

export function scopeName(scope: Scope): string {
  return `${scope.kind}:${scope.id}`;
}

/** The budget counters a request draws on. Scopes in `uncapped` are tracked without a cap (weak-only past the limit). */
export function planBudgets(scopes: readonly Scope[], estimate: Pick<ReservationEstimate, 'costUsd' | 'tokens'>, uncapped: ReadonlySet<string>, now: number): PlannedBudget[] {
  const budgets: PlannedBudget[] = [];
  for (const scope of scopes) {
    const { budget_usd: usd, budget_tokens: tokens, budget_period: period } = scope.limits;
    const window = budgetWindow(period, now);
    const isUncapped = uncapped.has(scopeName(scope));
    const base = `${scopeName(scope)}:${period}:${window.start}`;
    const expiresAt = window.end + COUNTER_GRACE_MS;
    if (usd !== undefined) {
      budgets.push({ scope, unit: 'usd', window, counter: { key: `${base}:usd`, limit: isUncapped ? Infinity : Math.round(usd * NANO_USD), amount: Math.ceil(estimate.costUsd * NANO_USD), expiresAt } });
    }
    if (tokens !== undefined) {
      budgets.push({ scope, unit: 'tokens', window, counter: { key: `${base}:tokens`, limit: isUncapped ? Infinity : tokens, amount: estimate.tokens, expiresAt } });
    }
  }
  return budgets;
}

/**
 * A counter this process has not used yet starts from the request log (a restart of the
 * memory backend, or a flushed Redis), so a restart never hands out a budget twice.
 */
export async function seedCounters(services: AdmissionServices, budgets: readonly PlannedBudget[]): Promise<void> {
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

export interface RateHold {
  counters: RateCounter[];
  headers: Record<string, string>;
  entryId: string;
}

/** Counts the request in every rpm/tpm window of its scopes, or throws 429 naming the full one. */
export async function acquireRate(services: AdmissionServices, scopes: readonly Scope[], tokens: number): Promise<RateHold> {
  const entryId = randomUUID();
  const counters: RateCounter[] = [];
  const owners: Scope[] = [];
  for (const scope of scopes) {
    if (scope.limits.rpm !== undefined) {
      counters.push({ key: `${scopeName(scope)}:rpm`, limit: scope.limits.rpm, weight: 1, windowMs: MINUTE_MS });
      owners.push(scope);
    }
    if (scope.limits.tpm !== undefined) {
      if (tokens > scope.limits.tpm) {
        throw new RateLimitError(`Request too large for ${scope.label}: it may use up to ${tokens} tokens (input plus max_tokens) and the limit is ${scope.limits.tpm} tokens per minute. Lower max_tokens.`);
      }
      counters.push({ key: `${scopeName(scope)}:tpm`, limit: scope.limits.tpm, weight: tokens, windowMs: MINUTE_MS });
      owners.push(scope);
    }
  }
  if (counters.length === 0) return { counters, headers: {}, entryId };
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
  return { counters, headers, entryId };
}

export function releaseRate(services: AdmissionServices, rate: RateHold): Promise<unknown> {
  return Promise.all(rate.counters.map((counter) => services.counters.adjustRate(rate.entryId, counter.key, 0, counter.windowMs)));
}

/** Replaces the budget hold with the record's actual cost and tokens, and corrects the tpm windows. */
export async function settleHold(services: AdmissionServices, reservationId: string, budgets: readonly PlannedBudget[], rate: RateHold, record: RequestRecord): Promise<void> {
  const tokens = record.prompt_tokens + record.completion_tokens;
  const actualNano = Math.ceil(record.cost_usd * NANO_USD);
  await services.counters.settle(
    reservationId,
    budgets.map((budget) => ({ key: budget.counter.key, actual: budget.unit === 'usd' ? actualNano : tokens, expiresAt: budget.counter.expiresAt })),
  );
  for (const counter of rate.counters) {
    if (counter.key.endsWith(':tpm')) await services.counters.adjustRate(rate.entryId, counter.key, tokens, counter.windowMs);
  }
}

export function budgetExceeded(budget: PlannedBudget, used: number, now: number): BudgetExceededError {
  const { scope, unit, window } = budget;
  const limit = unit === 'usd' ? `$${(budget.counter.limit / NANO_USD).toFixed(4)}` : `${budget.counter.limit} tokens`;
  const spent = unit === 'usd' ? `$${(used / NANO_USD).toFixed(4)}` : `${used} tokens`;
  const needs = unit === 'usd' ? `$${(budget.counter.amount / NANO_USD).toFixed(4)}` : `${budget.counter.amount} tokens`;
  const resets = new Date(window.end).toISOString();
  return new BudgetExceededError(
    `Budget exceeded for ${scope.label}: the ${PERIOD_ADJECTIVE[window.period]} budget of ${limit} (window ${new Date(window.start).toISOString()} to ${resets}, UTC) has ${spent} spent or reserved, ` +
      `which leaves no room for this request's maximum cost of ${needs} (a lower max_tokens lowers it). It resets at ${resets}.`,
    { retryAfterMs: window.end - now, headers: { 'x-switchboard-budget': `${scope.kind}:${scope.id}`, 'x-switchboard-budget-reset': resets } },
  );
}
