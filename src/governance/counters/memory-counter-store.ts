/**
 * In-process counters for a single gateway instance. Every method body runs without an await,
 * so on Node's one thread each is atomic, which is all the concurrency guarantee needs.
 */
import type { BudgetCounter, CounterStore, RateCounter, RateResult, RateState, ReserveResult } from './counter-store.js';
import { slidingWindowDecision, type RateEntry } from './sliding-window.js';

interface BudgetState {
  settled: number;
  holds: Map<string, { amount: number; expiresAt: number }>;
  expiresAt: number;
}

export class MemoryCounterStore implements CounterStore {
  readonly kind = 'memory' as const;
  private readonly budgets = new Map<string, BudgetState>();
  private readonly windows = new Map<string, RateEntry[]>();

  constructor(private readonly now: () => number = Date.now) {}

  async reserve(reservationId: string, counters: readonly BudgetCounter[], ttlMs: number): Promise<ReserveResult> {
    const now = this.now();
    for (const [index, counter] of counters.entries()) {
      const used = this.used(counter.key, now);
      if (used + counter.amount > counter.limit) return { ok: false, index, used };
    }
    for (const counter of counters) {
      const state = this.state(counter.key, counter.expiresAt);
      state.holds.set(reservationId, { amount: counter.amount, expiresAt: now + ttlMs });
    }
    return { ok: true };
  }

  async settle(reservationId: string, settlements: ReadonlyArray<{ key: string; actual: number; expiresAt: number }>): Promise<void> {
    for (const { key, actual, expiresAt } of settlements) {
      const state = this.state(key, expiresAt);
      state.holds.delete(reservationId);
      state.settled += actual;
    }
  }

  async hold(reservationId: string, counters: readonly BudgetCounter[], ttlMs: number): Promise<void> {
    const now = this.now();
    for (const counter of counters) this.state(counter.key, counter.expiresAt).holds.set(reservationId, { amount: counter.amount, expiresAt: now + ttlMs });
  }

  async settlePart(reservationId: string, parts: ReadonlyArray<{ key: string; release: number; actual: number; expiresAt: number }>): Promise<void> {
    for (const { key, release, actual, expiresAt } of parts) {
      const state = this.state(key, expiresAt);
      const held = state.holds.get(reservationId);
      if (held) held.amount = Math.max(0, held.amount - release);
      state.settled += actual;
    }
  }

  async usage(keys: readonly string[]): Promise<number[]> {
    const now = this.now();
    return keys.map((key) => this.used(key, now));
  }

  async seed(key: string, settled: number, expiresAt: number): Promise<void> {
    if (!this.budgets.has(key)) this.state(key, expiresAt).settled = settled;
  }

  async acquireRate(entryId: string, counters: readonly RateCounter[]): Promise<RateResult> {
    const now = this.now();
    const states: RateState[] = [];
    for (const [index, counter] of counters.entries()) {
      const entries = this.prune(counter.key, now, counter.windowMs);
      const decision = slidingWindowDecision(entries, counter, now);
      states.push(decision.state);
      if (!decision.admitted) return { ok: false, index, states };
    }
    for (const counter of counters) this.windows.get(counter.key)!.push({ id: entryId, at: now, weight: counter.weight });
    return { ok: true, states };
  }

  async adjustRate(entryId: string, key: string, weight: number): Promise<void> {
    const entries = this.windows.get(key);
    const entry = entries?.find((candidate) => candidate.id === entryId);
    if (!entry || !entries) return;
    if (weight <= 0) entries.splice(entries.indexOf(entry), 1);
    else entry.weight = weight;
  }

  async close(): Promise<void> {
    this.budgets.clear();
    this.windows.clear();
  }

  private used(key: string, now: number): number {
    const state = this.budgets.get(key);
    if (!state) return 0;
    if (state.expiresAt <= now) {
      this.budgets.delete(key);
      return 0;
    }
    let used = state.settled;
    for (const [id, hold] of state.holds) {
      // A hold whose request never settled (it cannot happen in-process, but keep the rule
      // the same as Redis's) stops counting after its TTL.
      if (hold.expiresAt <= now) state.holds.delete(id);
      else used += hold.amount;
    }
    return used;
  }

  private state(key: string, expiresAt: number): BudgetState {
    let state = this.budgets.get(key);
    if (!state) this.budgets.set(key, (state = { settled: 0, holds: new Map(), expiresAt }));
    return state;
  }

  private prune(key: string, now: number, windowMs: number): RateEntry[] {
    let entries = this.windows.get(key);
    if (!entries) this.windows.set(key, (entries = []));
    let drop = 0;
    while (drop < entries.length && entries[drop]!.at <= now - windowMs) drop++;
    if (drop > 0) entries.splice(0, drop);
    return entries;
  }
}
