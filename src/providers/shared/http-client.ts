/**
 * The one way providers talk HTTP: undici with keep-alive pools, the three timeouts of
 * `CallTimeouts`, and network failures mapped to typed gateway errors (errors/network-errors.ts). Response bodies are
 * returned unread so streams can be consumed as they arrive.
 */
import { Agent, errors as undiciErrors } from 'undici';
import type { CallOptions } from '../provider.js';
import { mapNetworkError, UpstreamMalformedResponseError, UpstreamResponseTooLargeError } from '../../errors/index.js';
import { rememberJsonText } from '../../protocol/raw-json.js';
import { BodyLimitExceeded, UpstreamExchange, type UpstreamBody } from './upstream-exchange.js';
import { DEFAULT_UPSTREAM_LIMITS } from './upstream-limits.js';

const agents = new Map<number, Agent>();

/** One agent per connect timeout, so pools (and their keep-alive sockets) are shared. */
function agentFor(connectTimeoutMs: number): Agent {
  let agent = agents.get(connectTimeoutMs);
  if (!agent) {
    agent = new Agent({
      connect: { timeout: connectTimeoutMs },
      keepAliveTimeout: 30_000,
      connections: 256,
      pipelining: 1,
    });
    agents.set(connectTimeoutMs, agent);
  }
  return agent;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: UpstreamBody;
}

export interface SendOptions extends CallOptions {
  provider: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** A URL split the way undici's dispatcher wants it; deployments reuse a handful of URLs. */
const targets = new Map<string, { origin: string; path: string }>();

function targetOf(url: string): { origin: string; path: string } {
  let target = targets.get(url);
  if (!target) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (targets.size >= 1024) targets.clear();
    targets.set(url, target);
  }
  return target;
}

/**
 * undici checks `headersTimeout` on its coarse timer wheel (a tick every ~0.5 s), so a first-token
 * timeout under a second could fire up to a second late. Below this bound (undici's own line
 * between its native and its fast timers) the wait for headers gets a native timer as well.
 */
const COARSE_TIMER_RESOLUTION_MS = 1000;

/**
 * Sends a request and resolves with the status and headers; the body is left to the caller.
 * The total timeout is one timer and the client's signal one listener, both removed when the
 * exchange settles (AbortSignal.timeout/any cost several µs a call and keep a timer pending for
 * the whole total timeout after the call ends).
 */
export async function sendUpstream(url: string, options: SendOptions): Promise<UpstreamResponse> {
  const { timeouts, signal } = options;
  const timedOut = { aborted: false };
  const onClientAbort = () => exchange.destroy(signal!.reason instanceof Error ? signal!.reason : new Error('the client went away'));
  const timer = setTimeout(() => {
    timedOut.aborted = true;
    exchange.destroy(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, timeouts.totalMs);
  timer.unref();
  const exchange = new UpstreamExchange(() => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onClientAbort);
  });
  if (signal?.aborted) onClientAbort();
  else signal?.addEventListener('abort', onClientAbort, { once: true });
  const { origin, path } = targetOf(url);
  agentFor(timeouts.connectMs).dispatch(
    {
      origin,
      path,
      method: options.method ?? 'POST',
      headers: withTraceparent(options.headers, options.traceparent),
      body: options.body,
      headersTimeout: timeouts.firstTokenMs,
      // Between two body chunks; a stream that goes silent this long is considered hung.
      bodyTimeout: timeouts.firstTokenMs,
    },
    exchange,
  );
  const headersTimer =
    timeouts.firstTokenMs < COARSE_TIMER_RESOLUTION_MS ? setTimeout(() => exchange.destroy(new undiciErrors.HeadersTimeoutError()), timeouts.firstTokenMs) : undefined;
  try {
    await exchange.headersReceived;
  } catch (error) {
    throw mapNetworkError(error, options, timedOut);
  } finally {
    if (headersTimer) clearTimeout(headersTimer);
  }
  // The exchange is the response. An object literal with a getter here cost far more than it
  // looks: V8 allocates each literal's accessor pair in the old generation, so the getter's
  // closure, and through it this request's exchange, outlived every young-generation collection
  // and was promoted, 3 KB a JSON request and over 10 KB a stream (`npm run bench:allocations
  // -- --survivors`), filling the old generation with garbage for the major collector.
  return exchange;
}

/**
 * A traced attempt's W3C `traceparent`, added to the provider's own headers without touching
 * them (they are built once per deployment and reused). Untraced: the same object, untouched.
 */
function withTraceparent(headers: Record<string, string>, traceparent: string | undefined): Record<string, string> {
  return traceparent ? { ...headers, traceparent } : headers;
}

/**
 * Reads a whole body as JSON, mapping body-phase failures like the send phase. A body past
 * `limits.bodyBytes` is abandoned at the bound: a 502, not a heap the size of the body.
 */
export async function readJsonBody<T>(response: UpstreamResponse, options: SendOptions): Promise<T> {
  const limitBytes = (options.limits ?? DEFAULT_UPSTREAM_LIMITS).bodyBytes;
  let text: string;
  try {
    text = await response.body.text(limitBytes);
  } catch (error) {
    if (error instanceof BodyLimitExceeded) throw new UpstreamResponseTooLargeError(options.provider, 'body', limitBytes);
    throw mapNetworkError(error, options);
  }
  try {
    return rememberJsonText(JSON.parse(text) as T, text);
  } catch {
    throw new UpstreamMalformedResponseError(options.provider, `body is not JSON (${text.length} bytes)`);
  }
}

/** An error body is read up to this many bytes; the message is in its first few hundred. */
const ERROR_BODY_BYTES = 64 * 1024;

/** Reads an error body for its message, never failing: a broken (or endless) error body is still an error. */
export async function readErrorBody(response: UpstreamResponse): Promise<{ json: unknown; text: string }> {
  let text = '';
  try {
    text = await response.body.text(ERROR_BODY_BYTES, 'truncate');
  } catch {
    return { json: undefined, text: '' };
  }
  try {
    return { json: JSON.parse(text), text };
  } catch {
    return { json: undefined, text };
  }
}
