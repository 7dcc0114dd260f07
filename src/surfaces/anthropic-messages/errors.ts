/**
 * Gateway errors in Anthropic's shape, for `/v1/messages` clients: the body
 * `{"type":"error","error":{"type","message"}}` with Anthropic's error types and statuses
 * (https://docs.anthropic.com/en/api/errors), as a response or as a mid-stream `error` event.
 *
 *   status   type
 *   400      invalid_request_error (also any other 4xx the gateway sends: 405, 408, 409, 422)
 *   401      authentication_error
 *   402      billing_error
 *   403      permission_error
 *   404      not_found_error
 *   413      request_too_large
 *   429      rate_limit_error (a gateway budget refusal too: Anthropic has no quota type)
 *   500      api_error (and any other 5xx, such as 502 for an upstream failure)
 *   504      timeout_error
 *   529      overloaded_error: the gateway's 503 (no deployment can take the call), and an
 *            Anthropic upstream's own 529 once retries and fallbacks are spent. Anthropic's SDKs
 *            and Claude Code treat 529 as "busy, retry later".
 *
 * `retry-after` is kept on 429 and 529, and the error's own headers (`x-ratelimit-*`) and the
 * caller's (`x-request-id`, `x-switchboard-*`) pass through. The message is the gateway's,
 * which never holds a stack trace or a key.
 */
import { GatewayError, InternalError, UpstreamHttpError } from '../../errors/index.js';
import type { AnthropicErrorBody, AnthropicErrorType } from '../../protocol/anthropic-messages-types.js';
import { frameEvent } from './sse-frame.js';

const OVERLOADED_STATUS = 529;

const TYPE_BY_STATUS: Readonly<Record<number, AnthropicErrorType>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  [OVERLOADED_STATUS]: 'overloaded_error',
};

/** Statuses after which a client should wait `retry-after` before trying again. */
const RETRY_AFTER_STATUSES = new Set([429, OVERLOADED_STATUS]);

export interface AnthropicErrorResponse {
  status: number;
  headers: Record<string, string>;
  /** The JSON body as text. */
  body: string;
}

/** The status an Anthropic client sees for `error`. */
export function anthropicErrorStatus(error: GatewayError): number {
  if (error.status === 503) return OVERLOADED_STATUS;
  if (error instanceof UpstreamHttpError && error.upstreamStatus === OVERLOADED_STATUS) return OVERLOADED_STATUS;
  return error.status;
}

export function anthropicErrorType(status: number): AnthropicErrorType {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export function anthropicErrorBody(error: GatewayError, requestId?: string): AnthropicErrorBody {
  const body: AnthropicErrorBody = { type: 'error', error: { type: anthropicErrorType(anthropicErrorStatus(error)), message: error.message } };
  if (requestId) body.request_id = requestId;
  return body;
}

/** Everything needed to answer a failed `/v1/messages` call; any non-gateway error is a generic 500. */
export function anthropicErrorResponse(error: unknown, headers: Record<string, string> = {}, requestId?: string): AnthropicErrorResponse {
  const gatewayError = error instanceof GatewayError ? error : new InternalError(error);
  const status = anthropicErrorStatus(gatewayError);
  const body = JSON.stringify(anthropicErrorBody(gatewayError, requestId));
  const responseHeaders: Record<string, string> = { 'content-type': 'application/json', ...headers, ...gatewayError.headers };
  if (gatewayError.retryAfterMs !== undefined && RETRY_AFTER_STATUSES.has(status)) {
    responseHeaders['retry-after'] = String(Math.max(1, Math.ceil(gatewayError.retryAfterMs / 1000)));
  }
  return { status, headers: responseHeaders, body };
}

/** The `error` event that ends a stream which failed after it began. */
export function anthropicErrorFrame(error: unknown): string {
  return frameEvent(anthropicErrorBody(error instanceof GatewayError ? error : new InternalError(error)));
}
