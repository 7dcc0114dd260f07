/**
 * OpenAI's error body is `{"error": {"message", "type", "param", "code"}}`; compatible servers
 * mostly follow it, some return `{"detail": …}` (vLLM) or `{"error": "text"}` (Ollama).
 */
import { UpstreamHttpError } from '../../errors/index.js';
import { readErrorBody, type UpstreamResponse } from '../shared/http-client.js';
import { parseRetryAfter } from '../shared/retry-after.js';

export async function mapOpenAIError(response: UpstreamResponse, provider: string): Promise<UpstreamHttpError> {
  const { json, text } = await readErrorBody(response);
  const body = json as { error?: unknown; detail?: unknown; message?: unknown } | undefined;
  let message = text.slice(0, 500) || `HTTP ${response.status}`;
  let code: string | null | undefined;
  let type: string | null | undefined;
  let param: string | null | undefined;
  if (body && typeof body.error === 'object' && body.error !== null) {
    const error = body.error as { message?: string; code?: string | number | null; type?: string; param?: string | null };
    message = error.message ?? message;
    code = error.code === undefined || error.code === null ? null : String(error.code);
    type = error.type ?? null;
    param = error.param ?? null;
  } else if (body && typeof body.error === 'string') {
    message = body.error;
  } else if (body && typeof body.detail === 'string') {
    message = body.detail;
  } else if (body && typeof body.message === 'string') {
    message = body.message;
  }
  return new UpstreamHttpError({
    provider,
    upstreamStatus: response.status,
    upstreamMessage: message,
    upstreamCode: code,
    upstreamType: type,
    param,
    retryAfterMs: parseRetryAfter(response.headers),
  });
}
