/**
 * Google API errors → gateway errors. Google answers `{"error": {"code", "message", "status",
 * "details"}}` (some endpoints wrap it in a one-element array). A 429 tells how long to wait in
 * a `RetryInfo` detail (`"retryDelay": "34.4s"`) rather than a `Retry-After` header, so both
 * are read. The same body can arrive as a stream event, where `code` stands in for the status.
 */
import { UpstreamHttpError } from '../../errors/index.js';
import { readErrorBody, type UpstreamResponse } from '../shared/http-client.js';
import { parseRetryAfter } from '../shared/retry-after.js';
import type { GeminiErrorBody } from './gemini-types.js';

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

export async function mapGeminiError(response: UpstreamResponse, provider: string): Promise<UpstreamHttpError> {
  const { json, text } = await readErrorBody(response);
  const error = errorOf(json);
  return new UpstreamHttpError({
    provider,
    upstreamStatus: response.status,
    upstreamMessage: error?.message ?? (text.slice(0, 500) || `HTTP ${response.status}`),
    upstreamType: error?.status ?? null,
    retryAfterMs: parseRetryAfter(response.headers) ?? retryDelayMs(error),
  });
}

/** Returns the error an event carries, or undefined for an ordinary response event. */
export function mapGeminiStreamError(data: unknown, provider: string): UpstreamHttpError | undefined {
  const error = errorOf(data);
  if (!error) return undefined;
  return new UpstreamHttpError({
    provider,
    upstreamStatus: typeof error.code === 'number' && error.code >= 400 ? error.code : 500,
    upstreamMessage: error.message ?? error.status ?? 'stream error',
    upstreamType: error.status ?? null,
    retryAfterMs: retryDelayMs(error),
  });
}

function errorOf(json: unknown): GeminiErrorBody['error'] | undefined {
  const body = (Array.isArray(json) ? json[0] : json) as Partial<GeminiErrorBody> | undefined;
  return body && typeof body.error === 'object' && body.error !== null ? body.error : undefined;
}

/** `"34.4s"` in a RetryInfo detail → 34400. */
function retryDelayMs(error: GeminiErrorBody['error'] | undefined): number | undefined {
  const detail = error?.details?.find((entry) => entry['@type'] === RETRY_INFO_TYPE);
  const match = typeof detail?.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay) : null;
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}
