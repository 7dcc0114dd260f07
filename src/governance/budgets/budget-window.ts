/**
 * Calendar budget windows in UTC: a day starts at 00:00, a week on Monday (ISO 8601), a month
 * on the 1st. A window is named by its start so counters of different windows never mix.
 */
import type { BudgetPeriod } from '../governance-schema.js';

export interface BudgetWindow {
  period: BudgetPeriod;
  /** ms since epoch, inclusive. */
  start: number;
  /** ms since epoch, exclusive: when the budget resets. */
  end: number;
}

/** The window of `period` that contains `now`. Example: budgetWindow('month', Date.UTC(2026, 1, 14)) starts 2026-02-01. */
export function budgetWindow(period: BudgetPeriod, now = Date.now()): BudgetWindow {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  if (period === 'day') return { period, start: Date.UTC(year, month, day), end: Date.UTC(year, month, day + 1) };
  if (period === 'week') {
    const sinceMonday = (date.getUTCDay() + 6) % 7;
    return { period, start: Date.UTC(year, month, day - sinceMonday), end: Date.UTC(year, month, day - sinceMonday + 7) };
  }
  return { period, start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
}
