/**
 * A failure of the HTTP exchange itself (connect timeout, no headers or body in time, reset,
 * refused, the client went away) as a typed gateway error, so the reliability layer and the
 * providers read one kind of error whatever undici threw.
 */
import { errors as undiciErrors } from 'undici';
import { GatewayError } from './gateway-error.js';
import { UpstreamConnectionError, UpstreamTimeoutError } from './upstream-errors.js';

export interface NetworkErrorContext {
  provider: string;
  timeouts: { connectMs: number; firstTokenMs: number; totalMs: number };
  signal?: { readonly aborted: boolean };
}

export function mapNetworkError(error: unknown, options: NetworkErrorContext, totalSignal?: { readonly aborted: boolean }): GatewayError {
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
