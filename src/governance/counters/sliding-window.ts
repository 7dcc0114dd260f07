/**
 * The sliding-window-log decision shared by the memory backend (and mirrored in the Redis Lua
 * script). A log, not GCRA or a two-bucket estimate, because only a log guarantees the
 * promise "no more than `rpm` requests in ANY 60-second span": GCRA with a burst of `rpm`
 * admits nearly 2× rpm in the minute after an idle one.
 */
import type { RateCounter, RateState } from './counter-store.js';

export interface RateEntry {
  id: string;
  /** ms since epoch when the request was admitted. */
  at: number;
  weight: number;
}

/** Decides one window given its entries still inside it (oldest first). */
export function slidingWindowDecision(entries: readonly RateEntry[], counter: RateCounter, now: number): { admitted: boolean; state: RateState } {
  let used = 0;
  for (const entry of entries) used += entry.weight;
  if (used + counter.weight <= counter.limit) {
    const oldest = entries[0]?.at ?? now;
    return { admitted: true, state: { limit: counter.limit, remaining: counter.limit - used - counter.weight, resetMs: Math.max(0, oldest + counter.windowMs - now) } };
  }
  // Refused: wait until enough of the oldest entries leave the window to fit this request.
  let needed = used + counter.weight - counter.limit;
  let resetMs = counter.windowMs;
  for (const entry of entries) {
    needed -= entry.weight;
    if (needed <= 0) {
      resetMs = Math.max(1, entry.at + counter.windowMs - now);
      break;
    }
  }
  return { admitted: false, state: { limit: counter.limit, remaining: Math.max(0, counter.limit - used), resetMs } };
}
