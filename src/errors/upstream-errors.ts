/**
 * Errors that come from talking to an upstream provider. The reliability layer retries or fails
 * over on these according to `isRetryable`; what the client finally sees follows the issue's
 * contract: an upstream 4xx keeps its status and message, a 5xx or a broken connection is 502, a
 * timeout is 504.
 */
import { GatewayError, type OpenAIErrorType } from './gateway-error.js';

/** Client errors that are worth another try: timeout, conflict, and rate limit. The retry policy reads this table too. */
export const RETRYABLE_CLIENT_STATUSES: readonly number[] = [408, 409, 429];

export interface UpstreamErrorDetails {
  provider: string;
  upstreamStatus: number;
  upstreamMessage: string;
  upstreamCode?: string | null;
  upstreamType?: string | null;
  param?: string | null;
  retryAfterMs?: number;
}

export class UpstreamHttpError extends GatewayError {
  readonly provider: string;
  readonly upstreamStatus: number;

  constructor(details: UpstreamErrorDetails) {
    const status = details.upstreamStatus >= 500 ? 502 : details.upstreamStatus;
    const type = typeForStatus(details.upstreamStatus, details.upstreamType);
    const message =
      details.upstreamStatus >= 500
        ? `Upstream ${details.provider} failed with status ${details.upstreamStatus}: ${details.upstreamMessage}`
        : details.upstreamMessage;
    super(message, {
      status,
      type,
      code: details.upstreamCode ?? (details.upstreamStatus >= 500 ? 'upstream_error' : codeForStatus(details.upstreamStatus)),
      param: details.param ?? null,
      isRetryable: details.upstreamStatus >= 500 || RETRYABLE_CLIENT_STATUSES.includes(details.upstreamStatus),
      retryAfterMs: details.retryAfterMs,
    });
    this.provider = details.provider;
    this.upstreamStatus = details.upstreamStatus;
  }
}

/** The connection was refused, reset or closed, or the upstream sent a body we cannot parse. */
export class UpstreamConnectionError extends GatewayError {
  readonly provider: string;
  constructor(provider: string, reason: string, cause?: unknown) {
    super(`Could not get a response from upstream ${provider}: ${reason}`, {
      status: 502,
      type: 'api_error',
      code: 'upstream_connection_error',
      isRetryable: true,
      cause,
    });
    this.provider = provider;
  }
}

/** The upstream sent something that is not the provider's documented shape. */
export class UpstreamMalformedResponseError extends GatewayError {
  readonly provider: string;
  constructor(provider: string, reason: string) {
    super(`Upstream ${provider} returned a malformed response: ${reason}`, {
      status: 502,
      type: 'api_error',
      code: 'upstream_malformed_response',
      isRetryable: true,
    });
    this.provider = provider;
  }
}

/**
 * The upstream sent more than a bound of `limits:` allows (a body, one SSE line, a whole stream).
 * Not retried: another try would buy the same flood again; the request fails with a 502, or a
 * stream ends with an error event and is charged for what was streamed.
 */
export class UpstreamResponseTooLargeError extends GatewayError {
  readonly provider: string;
  constructor(provider: string, what: 'body' | 'event' | 'stream', limitBytes: number) {
    const described = what === 'body' ? 'a response body' : what === 'event' ? 'one stream line or event' : 'a stream';
    super(`Upstream ${provider} sent ${described} larger than the gateway's limit of ${limitBytes} bytes (limits.upstream_${what}_bytes).`, {
      status: 502,
      type: 'api_error',
      code: 'upstream_response_too_large',
      isRetryable: false,
    });
    this.provider = provider;
  }
}

export class UpstreamTimeoutError extends GatewayError {
  readonly provider: string;
  constructor(provider: string, phase: 'connect' | 'first_token' | 'total', timeoutMs: number) {
    super(`Upstream ${provider} did not answer in time (${phase.replace('_', ' ')} timeout of ${timeoutMs} ms).`, {
      status: 504,
      type: 'timeout_error',
      code: 'upstream_timeout',
      isRetryable: true,
    });
    this.provider = provider;
  }
}

function typeForStatus(status: number, upstreamType: string | null | undefined): OpenAIErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  if (upstreamType === 'invalid_request_error') return 'invalid_request_error';
  return 'invalid_request_error';
}

function codeForStatus(status: number): string {
  switch (status) {
    case 401: return 'invalid_api_key';
    case 403: return 'permission_denied';
    case 404: return 'not_found';
    case 408: return 'request_timeout';
    case 409: return 'conflict';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_exceeded';
    default: return 'upstream_client_error';
  }
}
