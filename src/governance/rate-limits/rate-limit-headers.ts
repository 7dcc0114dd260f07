/**
 * OpenAI's rate-limit headers: `x-ratelimit-limit-requests`, `-remaining-requests` and
 * `-reset-requests` (a duration such as `1s` or `6m0s`), and the same for tokens. When several
 * windows apply (key and team), the one with the least room speaks.
 */
import type { RateState } from '../counters/counter-store.js';

export function rateLimitHeaders(requestStates: readonly RateState[], tokenStates: readonly RateState[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [unit, states] of [['requests', requestStates], ['tokens', tokenStates]] as const) {
    if (states.length === 0) continue;
    const tightest = states.reduce((least, state) => (state.remaining < least.remaining ? state : least));
    headers[`x-ratelimit-limit-${unit}`] = String(tightest.limit);
    headers[`x-ratelimit-remaining-${unit}`] = String(Math.max(0, tightest.remaining));
    headers[`x-ratelimit-reset-${unit}`] = formatDuration(tightest.resetMs);
  }
  return headers;
}

/** 250 → "250ms", 1500 → "1.5s", 360000 → "6m0s", like OpenAI's reset headers. */
export function formatDuration(milliseconds: number): string {
  const ms = Math.max(0, Math.round(milliseconds));
  if (ms < 1000) return `${ms}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 10) / 100;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}
