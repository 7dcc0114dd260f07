import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { UpstreamResponse } from '../shared/http-client.js';
import { mapGeminiError, mapGeminiStreamError } from './error-mapping.js';

function response(status: number, body: string, headers: Record<string, string> = {}): UpstreamResponse {
  // Only `text()` is read from an error body (undici's BodyReadable has it; a plain Readable does not).
  return { status, headers, body: Object.assign(Readable.from([Buffer.from(body)]), { text: async () => body }) } as unknown as UpstreamResponse;
}

describe('mapGeminiError', () => {
  it('reads an error wrapped in a one-element array, as some Google endpoints send it', async () => {
    const error = await mapGeminiError(response(404, '[{"error":{"code":404,"message":"models/gemini-9 is not found","status":"NOT_FOUND"}}]'), 'gemini');
    expect(error).toMatchObject({ status: 404, message: 'models/gemini-9 is not found', isRetryable: false });
  });

  it('prefers a Retry-After header over RetryInfo', async () => {
    const body = '{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34.4s"}]}}';
    expect((await mapGeminiError(response(429, body, { 'retry-after': '5' }), 'gemini')).retryAfterMs).toBe(5000);
    expect((await mapGeminiError(response(429, body), 'gemini')).retryAfterMs).toBe(34_400);
  });

  it('keeps a non-JSON error body as the message', async () => {
    const error = await mapGeminiError(response(502, '<html>Bad Gateway</html>'), 'gemini');
    expect(error).toMatchObject({ status: 502, isRetryable: true });
    expect(error.message).toContain('<html>Bad Gateway</html>');
  });
});

describe('mapGeminiStreamError', () => {
  it('returns nothing for an ordinary response event', () => {
    expect(mapGeminiStreamError({ candidates: [] }, 'gemini')).toBeUndefined();
  });

  it('uses the error code as the status', () => {
    expect(mapGeminiStreamError({ error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' } }, 'gemini')).toMatchObject({ status: 429, isRetryable: true });
  });
});
