/**
 * A route's shadow budget: what its shadow calls may spend per UTC day, held on the same
 * counters as callers' budgets (memory, or Redis shared by every instance) but under a key of
 * its own, so a shadow call never touches a key's, team's or user's budget. A call reserves its
 * most cost before it goes out and settles to the actual cost after, like a caller's request.
 * After a restart the day's counter is seeded from the comparisons already stored.
 */
import { NANO_USD, type CounterStore } from '../governance/counters/counter-store.js';

const DAY_MS = 86_400_000;
/** A hold lapses after this if the process dies before settling: longer than a call may take (timeouts.total_ms defaults to 10 minutes). */
const HOLD_TTL_MS = 15 * 60_000;

export interface ShadowHold {
  settle(actualUsd: number): Promise<void>;
}

export class ShadowBudget {
  /** Days whose counter this process has seeded, per route. */
  private readonly seeded = new Set<string>();

  constructor(
    private readonly counters: CounterStore,
    /** The day's shadow spend already stored for a route, for seeding after a restart. */
    private readonly storedSpend: (route: string, dayStart: number) => Promise<number>,
  ) {}

  /** Holds `estimateUsd` on the route's counter for today, or returns undefined when the day's budget has no room. */
  async reserve(route: string, budgetUsd: number, estimateUsd: number, reservationId: string, now = Date.now()): Promise<ShadowHold | undefined> {
    const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
    const key = `shadow:${route}:usd:${new Date(dayStart).toISOString().slice(0, 10)}`;
    const expiresAt = dayStart + DAY_MS;
    if (!this.seeded.has(key)) {
      await this.counters.seed(key, Math.round((await this.storedSpend(route, dayStart)) * NANO_USD), expiresAt);
      this.seeded.add(key);
    }
    const amount = Math.ceil(estimateUsd * NANO_USD);
    const result = await this.counters.reserve(reservationId, [{ key, limit: Math.floor(budgetUsd * NANO_USD), amount, expiresAt }], HOLD_TTL_MS);
    if (!result.ok) return undefined;
    return {
      settle: (actualUsd) => this.counters.settle(reservationId, [{ key, actual: Math.round(actualUsd * NANO_USD), expiresAt }]),
    };
  }
}
