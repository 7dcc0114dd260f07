/**
 * The retry policy as one table of named defaults with units (in the manner of undici's
 * retry-handler): which failures are retried, how long to back off, and where a failure sends
 * the request next. The dispatcher asks this module; nothing else decides.
 *
 * Whether an error is retryable is decided where the error is created (`isRetryable`, from the
 * upstream status or network error). This module adds the two failures that are not retries but
 * detours: a prompt too long for the model, and a content-filter refusal.
 */
import { RETRYABLE_CLIENT_STATUSES, type GatewayError } from '../errors/index.js';
import type { CancelSignal } from './cancel-signal.js';

export const RETRY_POLICY = {
  /**
   * Upstream statuses worth another try; every 5xx is, too. Any other 4xx is the request's
   * fault. Network errors (reset, refused), malformed bodies and timeouts are retried as well:
   * their errors are created with `isRetryable` (errors/upstream-errors.ts).
   */
  retryableClientStatuses: RETRYABLE_CLIENT_STATUSES,
  /** Upstream codes meaning the prompt does not fit: go to `context_window_fallback`. */
  contextWindowCodes: ['context_length_exceeded', 'string_above_max_length'] as readonly string[],
  /** Upstream codes meaning a content filter refused: go to `content_filter_fallback`. */
  contentFilterCodes: ['content_filter', 'content_policy_violation', 'content_management_policy'] as readonly string[],
  /** Backoff: full jitter, a random delay in [0, min(ceiling, floor × 2^retry)) milliseconds. */
  backoffFactor: 2,
  /** A Retry-After longer than this many milliseconds is clamped when marking a deployment rate-limited. */
  retryAfterCapMs: 60_000,
  /** Weight of the newest sample in a deployment's latency EWMA (0–1). */
  latencyEwmaAlpha: 0.3,
  /** A deployment whose latency was last measured longer ago than this is measured again (lowest-latency). */
  latencyStaleMs: 30_000,
  /** lowest-latency treats deployments within this share of the fastest as tied, and splits by weight. */
  latencyTieShare: 0.1,
  /** Window of the local rpm/tpm counters, in milliseconds. */
  rateWindowMs: 60_000,
} as const;

/**
 * What to do after a failed attempt:
 * - `retry`: the deployment failed (5xx, 408/409/429, network, malformed body, timeout); try another;
 * - `context-window` / `content-filter`: detour to the model's configured fallback for that case;
 * - `fatal`: the request itself is wrong (other 4xx); no other deployment would answer differently;
 * - `cancelled`: the client went away.
 */
export type FailureKind = 'retry' | 'context-window' | 'content-filter' | 'fatal' | 'cancelled';

const CONTEXT_WINDOW_MESSAGE = /maximum context length|context window|context length|prompt is too long|too many tokens/i;
const CONTENT_FILTER_MESSAGE = /content (management )?polic|content filter|content_filter/i;

export function classifyFailure(error: GatewayError, signal?: CancelSignal): FailureKind {
  if (signal?.aborted) return 'cancelled';
  const code = error.code ?? '';
  if (RETRY_POLICY.contextWindowCodes.includes(code)) return 'context-window';
  if (RETRY_POLICY.contentFilterCodes.includes(code)) return 'content-filter';
  if (error.isRetryable) return 'retry';
  const upstreamStatus = (error as { upstreamStatus?: number }).upstreamStatus;
  if (upstreamStatus !== undefined && (upstreamStatus >= 500 || RETRY_POLICY.retryableClientStatuses.includes(upstreamStatus))) return 'retry';
  // Providers without a code for these (Anthropic, vLLM) say it in the message of a 400.
  if (error.status === 400 && CONTEXT_WINDOW_MESSAGE.test(error.message)) return 'context-window';
  if (error.status === 400 && CONTENT_FILTER_MESSAGE.test(error.message)) return 'content-filter';
  return 'fatal';
}

export interface BackoffSettings {
  /** Backoff floor: the ceiling of the first retry's delay, in milliseconds. */
  backoffMs: number;
  /** Backoff ceiling: no single delay is longer, in milliseconds. */
  maxBackoffMs: number;
}

/**
 * The delay before retry number `retry` (0 for the first) of an already-tried deployment:
 * full jitter, so concurrent requests that failed together do not come back together.
 * @example backoffDelayMs(2, { backoffMs: 200, maxBackoffMs: 5000 }) // somewhere in [0, 800)
 */
export function backoffDelayMs(retry: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const ceiling = Math.min(settings.maxBackoffMs, settings.backoffMs * RETRY_POLICY.backoffFactor ** retry);
  return Math.floor(random() * ceiling);
}

/** True when sleeping `delayMs` from `now` would still leave time before the deadline. */
export function fitsBeforeDeadline(now: number, delayMs: number, deadline: number): boolean {
  return now + delayMs < deadline;
}
