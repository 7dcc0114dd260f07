/**
 * Anthropic errors → gateway errors. Anthropic answers `{"type":"error","error":{"type",
 * "message"}}` both as an HTTP error body and as a mid-stream `error` event; the second has no
 * status, so it is derived from the error type. 529 `overloaded_error` is Anthropic's "busy, try
 * again": like any 5xx it becomes a retryable 502, and `retry-after` is honoured.
 */
import { UpstreamHttpError } from '../../errors/index.js';
import { readErrorBody, type UpstreamResponse } from '../shared/http-client.js';
import { parseRetryAfter } from '../shared/retry-after.js';
import type { AnthropicErrorBody } from './anthropic-types.js';

/** Status Anthropic uses for each error type (https://docs.anthropic.com/en/api/errors). */
const STATUS_BY_ERROR_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

export async function mapAnthropicError(response: UpstreamResponse, provider: string): Promise<UpstreamHttpError> {
  const { json, text } = await readErrorBody(response);
  const error = (json as Partial<AnthropicErrorBody> | undefined)?.error;
  return new UpstreamHttpError({
    provider,
    upstreamStatus: response.status,
    upstreamMessage: error?.message ?? (text.slice(0, 500) || `HTTP ${response.status}`),
    upstreamType: error?.type ?? null,
    retryAfterMs: parseRetryAfter(response.headers),
  });
}

/** An `error` event inside a stream, such as `overloaded_error` after the first tokens. */
export function mapAnthropicStreamError(body: AnthropicErrorBody, provider: string): UpstreamHttpError {
  const type = body.error?.type ?? 'api_error';
  return new UpstreamHttpError({
    provider,
    upstreamStatus: STATUS_BY_ERROR_TYPE[type] ?? 500,
    upstreamMessage: body.error?.message ?? type,
    upstreamType: type,
  });
}
