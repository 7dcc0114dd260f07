/**
 * The one way providers talk HTTP: undici with keep-alive pools, the three timeouts of
 * `CallTimeouts`, and network failures mapped to typed gateway errors. Response bodies are
 * returned unread so streams can be consumed as they arrive.
 */
import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import type { CallOptions } from '../provider.js';
import { GatewayError, UpstreamConnectionError, UpstreamMalformedResponseError, UpstreamTimeoutError } from '../../errors/index.js';

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
  body: Dispatcher.ResponseData['body'];
}

export interface SendOptions extends CallOptions {
  provider: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/**
 * The call's signal: the client's, plus the total timeout as one timer that is cleared when the
 * body closes. AbortSignal.timeout() and AbortSignal.any() cost several µs a call on the hot
 * path and leave a timer pending for the whole total timeout (ten minutes) after the call ends.
 */
function callSignal(totalMs: number, clientSignal: AbortSignal | undefined) {
  const controller = new AbortController();
  const state = { aborted: false };
  const timer = setTimeout(() => {
    state.aborted = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, totalMs);
  timer.unref();
  const onClientAbort = () => controller.abort(clientSignal!.reason);
  if (clientSignal?.aborted) controller.abort(clientSignal.reason);
  else clientSignal?.addEventListener('abort', onClientAbort, { once: true });
  const done = () => {
    clearTimeout(timer);
    clientSignal?.removeEventListener('abort', onClientAbort);
  };
  return { signal: controller.signal, timedOut: state, done };
}

/** Sends a request and resolves with the status and headers; the body is left to the caller. */
export async function sendUpstream(url: string, options: SendOptions): Promise<UpstreamResponse> {
  const { timeouts } = options;
  const total = callSignal(timeouts.totalMs, options.signal);
  try {
    const response = await request(url, {
      method: options.method ?? 'POST',
      headers: options.headers,
      body: options.body,
      signal: total.signal,
      dispatcher: agentFor(timeouts.connectMs),
      headersTimeout: timeouts.firstTokenMs,
      // Between two body chunks; a stream that goes silent this long is considered hung.
      bodyTimeout: timeouts.firstTokenMs,
    });
    // The total timeout covers the body too: it is cleared once the body is read or destroyed.
    response.body.once('close', total.done);
    return { status: response.statusCode, headers: response.headers, body: response.body };
  } catch (error) {
    total.done();
    throw mapNetworkError(error, options, total.timedOut);
  }
}

/** Reads a whole body as JSON, mapping body-phase failures like the send phase. */
export async function readJsonBody<T>(response: UpstreamResponse, options: SendOptions): Promise<T> {
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    throw mapNetworkError(error, options);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UpstreamMalformedResponseError(options.provider, `body is not JSON (${text.length} bytes)`);
  }
}

/** Reads an error body for its message, never failing: a broken error body is still an error. */
export async function readErrorBody(response: UpstreamResponse): Promise<{ json: unknown; text: string }> {
  let text = '';
  try {
    text = await response.body.text();
  } catch {
    return { json: undefined, text: '' };
  }
  try {
    return { json: JSON.parse(text), text };
  } catch {
    return { json: undefined, text };
  }
}

export function mapNetworkError(error: unknown, options: Pick<SendOptions, 'provider' | 'timeouts' | 'signal'>, totalSignal?: { readonly aborted: boolean }): GatewayError {
  if (error instanceof GatewayError) return error;
  const { provider, timeouts } = options;
  if (error instanceof undiciErrors.ConnectTimeoutError) return new UpstreamTimeoutError(provider, 'connect', timeouts.connectMs);
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return new UpstreamTimeoutError(provider, 'first_token', timeouts.firstTokenMs);
  }
  if (totalSignal?.aborted || (error instanceof Error && error.name === 'TimeoutError')) {
    return new UpstreamTimeoutError(provider, 'total', timeouts.totalMs);
  }
  if (options.signal?.aborted) {
    return new UpstreamConnectionError(provider, 'the client went away and the call was cancelled', error);
  }
  const code = (error as { code?: string })?.code;
  const reason = code ? `network error ${code}` : 'the connection failed';
  return new UpstreamConnectionError(provider, reason, error);
}
