/**
 * What each key has spent in its current budget window, from the request log: the same totals
 * budget counters start from, so `keys list` shows spend against budget without a running
 * gateway. Reservations of requests still in flight are not included.
 */
import type { RequestLogStore } from '../../storage/request-log-store.js';
import { budgetWindow, type BudgetWindow } from '../budgets/budget-window.js';
import type { BudgetPeriod } from '../governance-schema.js';
import type { VirtualKey } from './virtual-key.js';

export interface KeyUsage {
  window: BudgetWindow;
  costUsd: number;
  tokens: number;
}

type BudgetedKey = Pick<VirtualKey, 'id' | 'budget_period'>;

export function keyUsage(store: RequestLogStore, keys: readonly BudgetedKey[], now = Date.now()): Promise<Map<string, KeyUsage>> {
  return periodUsage(store, 'key', keys, now);
}

/**
 * What each key, team or end user (by `id`, as the log's `group_by` names it) has spent in the
 * current window of its own budget period: one spend query per period in use.
 */
export async function periodUsage(store: RequestLogStore, groupBy: 'key' | 'team' | 'user', holders: ReadonlyArray<{ id: string; budget_period: BudgetPeriod }>, now = Date.now()): Promise<Map<string, KeyUsage>> {
  const usage = new Map<string, KeyUsage>();
  const periods = new Set<BudgetPeriod>(holders.map((holder) => holder.budget_period));
  for (const period of periods) {
    const window = budgetWindow(period, now);
    const rows = await store.spend({ groupBy, from: window.start, to: window.end });
    const byGroup = new Map(rows.map((row) => [row.group, row]));
    for (const holder of holders.filter((candidate) => candidate.budget_period === period)) {
      const row = byGroup.get(holder.id);
      usage.set(holder.id, { window, costUsd: row?.cost_usd ?? 0, tokens: row?.total_tokens ?? 0 });
    }
  }
  return usage;
}

const CURRENT: Record<BudgetPeriod, string> = { day: 'today', week: 'this week', month: 'this month' };

/** `$12.3400 of $50/month (24.7%)`, or `$0.0120 this month, no budget`; tokens likewise. */
export function describeUsage(key: Pick<VirtualKey, 'budget_usd' | 'budget_tokens' | 'budget_period'>, usage: KeyUsage): string[] {
  const share = (used: number, limit: number) => `${((used / limit) * 100).toFixed(1)}%`;
  const parts = [
    key.budget_usd !== undefined
      ? `$${usage.costUsd.toFixed(4)} of $${key.budget_usd}/${key.budget_period} (${share(usage.costUsd, key.budget_usd)})`
      : `$${usage.costUsd.toFixed(4)} ${CURRENT[key.budget_period]}, no budget`,
  ];
  if (key.budget_tokens !== undefined) parts.push(`${usage.tokens} of ${key.budget_tokens} tokens/${key.budget_period} (${share(usage.tokens, key.budget_tokens)})`);
  return parts;
}
