/**
 * The budget side of a batch job (src/batch). A batch is admitted once, at creation: its
 * estimated cost (every line at the most it can cost) is held on the key's and team's budget
 * counters, all or nothing, so a batch that cannot fit is refused before any line runs. Each
 * line then settles its own share of that hold once, when its answer arrives: its reservation
 * is released and its actual cost added (`settleBatchLine`). What is still held when the batch
 * ends (lines cancelled or expired) is released.
 *
 * The hold is stored with the batch, so an instance that resumes the batch after a restart can
 * restore it on counters that lost it (`restoreBatchHold`; the memory backend loses everything,
 * Redis keeps it and the restore is then a no-op).
 *
 * Lines the gateway runs itself go through the normal pipeline; their admission is "prepaid"
 * (`admitPrepaid`): the key's model scope and rate limits apply as for any request, but nothing
 * more is reserved, and settlement goes to the batch's hold.
 */
import { randomUUID } from 'node:crypto';
import type { RequestRecord } from '../../storage/request-record.js';
import { BudgetExceededError } from '../../errors/index.js';
import { scopesFor, type ScopeKind } from '../budgets/budget-scopes.js';
import { NANO_USD } from '../counters/counter-store.js';
import type { Principal } from '../keys/authenticate.js';
import { checkModelScope, virtualKeyOf, type Admission, type AdmissionServices } from './admission.js';
import { acquireRate, planBudgets, seedCounters, type PlannedBudget } from './limit-hold.js';

export interface BatchHold {
  reservationId: string;
  /** Each budget counter held, with the scope and window it belongs to (to reseed it after a restart). */
  counters: Array<{ key: string; unit: 'usd' | 'tokens'; expiresAt: number; scopeKind: ScopeKind; scopeId: string; windowStart: number; windowEnd: number }>;
}

/** What one line (or a whole batch) may cost: nano-USD and tokens. */
export interface HeldAmount {
  nanoUsd: number;
  tokens: number;
}

/** What the line that settles against a batch's hold had reserved of it. */
export interface PrepaidBudget {
  hold: BatchHold;
  reserved: HeldAmount;
}

/**
 * Holds `total` on the caller's budgets for `ttlMs`, or throws 429 `budget_exceeded` naming the
 * budget and the batch's estimate. Returns null when no budget applies (nothing to settle).
 */
export async function reserveBatch(services: AdmissionServices, principal: Principal, total: HeldAmount, ttlMs: number, lines: number): Promise<BatchHold | null> {
  const key = virtualKeyOf(principal);
  const scopes = await scopesFor(key, undefined, services);
  const now = Date.now();
  const budgets = planBudgets(scopes, { costUsd: total.nanoUsd / NANO_USD, tokens: total.tokens }, new Set(), now);
  if (budgets.length === 0) return null;
  await seedCounters(services, budgets);
  const reservationId = `batch-${randomUUID()}`;
  const result = await services.counters.reserve(reservationId, budgets.map((budget) => budget.counter), ttlMs);
  if (!result.ok) throw batchTooLarge(budgets[result.index]!, result.used, lines);
  return {
    reservationId,
    counters: budgets.map((budget) => ({
      key: budget.counter.key,
      unit: budget.unit,
      expiresAt: budget.counter.expiresAt,
      scopeKind: budget.scope.kind,
      scopeId: budget.scope.id,
      windowStart: budget.window.start,
      windowEnd: budget.window.end,
    })),
  };
}

/** Puts back what a resumed batch still holds (its lines not yet answered), on counters seeded from the log first. */
export async function restoreBatchHold(services: AdmissionServices, hold: BatchHold, outstanding: HeldAmount, ttlMs: number): Promise<void> {
  const budgets = hold.counters.map(
    (counter): PlannedBudget => ({
      scope: { kind: counter.scopeKind, id: counter.scopeId, label: `${counter.scopeKind} '${counter.scopeId}'`, limits: { budget_period: 'month' } as PlannedBudget['scope']['limits'] },
      unit: counter.unit,
      window: { period: 'month', start: counter.windowStart, end: counter.windowEnd },
      counter: { key: counter.key, limit: Infinity, amount: counter.unit === 'usd' ? outstanding.nanoUsd : outstanding.tokens, expiresAt: counter.expiresAt },
    }),
  );
  await seedCounters(services, budgets);
  await services.counters.hold(hold.reservationId, budgets.map((budget) => budget.counter), ttlMs);
}

/** Settles one line against the batch's hold: its reservation released, its actual cost and tokens added. */
export async function settleBatchLine(services: AdmissionServices, prepaid: PrepaidBudget, record: Pick<RequestRecord, 'cost_usd' | 'prompt_tokens' | 'completion_tokens'>): Promise<void> {
  const tokens = record.prompt_tokens + record.completion_tokens;
  await services.counters.settlePart(
    prepaid.hold.reservationId,
    prepaid.hold.counters.map((counter) => ({
      key: counter.key,
      release: counter.unit === 'usd' ? prepaid.reserved.nanoUsd : prepaid.reserved.tokens,
      actual: counter.unit === 'usd' ? Math.ceil(record.cost_usd * NANO_USD) : tokens,
      expiresAt: counter.expiresAt,
    })),
  );
}

/** Releases what is left of a batch's hold once it has ended. */
export async function releaseBatchHold(services: AdmissionServices, hold: BatchHold): Promise<void> {
  await services.counters.settle(
    hold.reservationId,
    hold.counters.map((counter) => ({ key: counter.key, actual: 0, expiresAt: counter.expiresAt })),
  );
}

/**
 * Admission of a line the gateway runs itself: the key's model scope and rate limits, as for
 * any request, and settlement against the batch's hold instead of a reservation of its own.
 */
export async function admitPrepaid(services: AdmissionServices, principal: Principal, model: string, tokens: number, prepaid: PrepaidBudget): Promise<Admission> {
  const key = virtualKeyOf(principal);
  checkModelScope(key, model);
  const scopes = await scopesFor(key, undefined, services);
  const rate = scopes.length > 0 ? await acquireRate(services, scopes, tokens) : undefined;
  return {
    headers: rate?.headers ?? {},
    async settle(record) {
      try {
        await settleBatchLine(services, prepaid, record);
        for (const counter of rate?.counters ?? []) {
          if (counter.key.endsWith(':tpm')) await services.counters.adjustRate(rate!.entryId, counter.key, record.prompt_tokens + record.completion_tokens, counter.windowMs);
        }
      } catch (error) {
        services.logger.error({ err: error, reservationId: prepaid.hold.reservationId }, 'batch line settlement failed');
      }
    },
  };
}

const PERIOD_ADJECTIVE = { day: 'daily', week: 'weekly', month: 'monthly' } as const;

function batchTooLarge(budget: PlannedBudget, used: number, lines: number): BudgetExceededError {
  const { scope, unit, window } = budget;
  const format = (amount: number) => (unit === 'usd' ? `$${(amount / NANO_USD).toFixed(4)}` : `${amount} tokens`);
  const resets = new Date(window.end).toISOString();
  return new BudgetExceededError(
    `Budget exceeded for ${scope.label}: this batch of ${lines} requests may cost up to ${format(budget.counter.amount)} (every line at its max_tokens), ` +
      `and the ${PERIOD_ADJECTIVE[window.period]} budget of ${format(budget.counter.limit)} has ${format(used)} spent or reserved. Split the batch, lower max_tokens, or wait for the reset at ${resets}.`,
    { retryAfterMs: window.end - Date.now(), headers: { 'x-switchboard-budget': `${scope.kind}:${scope.id}`, 'x-switchboard-budget-reset': resets } },
  );
}
