/**
 * The contract of the counters behind budgets and rate limits. The memory backend serves one
 * instance; the Redis backend makes N instances enforce one limit, because each operation below
 * runs as one Lua script (atomic on the Redis server), never as read-then-write from a gateway.
 *
 * Budget counters hold integers: USD in nano-dollars (1e-9, so $0.0000018 for 12 gpt-4o-mini
 * input tokens is still exact) and tokens as tokens.
 */

/** One budget a request draws on, such as "key k_1, USD, month of 2026-02". */
export interface BudgetCounter {
  /** Counter name, unique per scope, unit and window (the backend adds its prefix). */
  key: string;
  /** The cap; Infinity for a counter that is tracked but not capped (weak-only past the limit). */
  limit: number;
  /** Amount to hold for this request: its most expensive outcome. */
  amount: number;
  /** When the window ends (ms since epoch): the counter can be dropped after that. */
  expiresAt: number;
}

export type ReserveResult = { ok: true } | { ok: false; index: number; used: number };

/** One sliding-window limit a request counts against: requests (weight 1) or tokens. */
export interface RateCounter {
  key: string;
  limit: number;
  /** Requests count 1; tokens count the request's estimated tokens. */
  weight: number;
  windowMs: number;
}

export interface RateState {
  limit: number;
  remaining: number;
  /** ms until the window has room for this request again (0 when admitted) or is full again. */
  resetMs: number;
}

export type RateResult = { ok: true; states: RateState[] } | { ok: false; index: number; states: RateState[] };

export interface CounterStore {
  readonly kind: 'memory' | 'redis';
  /**
   * Holds `amount` on every counter if each has room (used + amount ≤ limit), else holds
   * nothing and names the first counter without room. All-or-nothing, so a request never holds
   * part of its budgets.
   */
  reserve(reservationId: string, counters: readonly BudgetCounter[], ttlMs: number): Promise<ReserveResult>;
  /** Replaces the hold with the actual amount (0 for a failed call) on each counter. */
  settle(reservationId: string, settlements: ReadonlyArray<{ key: string; actual: number; expiresAt: number }>): Promise<void>;
  /**
   * Sets the hold `reservationId` to exactly `amount` on each counter, without checking room:
   * restores a hold admitted earlier (a batch resumed after a restart lost its in-memory hold).
   */
  hold(reservationId: string, counters: readonly BudgetCounter[], ttlMs: number): Promise<void>;
  /**
   * Settles part of a hold: releases `release` of it (never below zero) and adds `actual` to the
   * settled amount, in one step. A batch settles each line against its one hold this way.
   */
  settlePart(reservationId: string, parts: ReadonlyArray<{ key: string; release: number; actual: number; expiresAt: number }>): Promise<void>;
  /** Used amount (settled plus held) of each counter. */
  usage(keys: readonly string[]): Promise<number[]>;
  /** Sets a counter's settled amount if the counter does not exist yet (after a restart). */
  seed(key: string, settled: number, expiresAt: number): Promise<void>;
  /** Counts a request against every window if each has room, else counts nothing. */
  acquireRate(entryId: string, counters: readonly RateCounter[]): Promise<RateResult>;
  /** Corrects a counted request's token weight to its actual tokens, or removes it (weight 0). */
  adjustRate(entryId: string, key: string, weight: number, windowMs: number): Promise<void>;
  close(): Promise<void>;
}

export const NANO_USD = 1e9;
