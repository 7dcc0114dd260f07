import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { UpstreamResponse } from '../shared/http-client.js';
import { mapAnthropicError, mapAnthropicStreamError } from './error-mapping.js';

function response(status: number, fixture: string, headers: Record<string, string> = {}): UpstreamResponse {
  const body = readFileSync(new URL(`./__fixtures__/${fixture}`, import.meta.url));
  // Only `text()` is read from an error body (undici's BodyReadable has it; a plain Readable does not).
  return { status, headers, body: Object.assign(Readable.from([body]), { text: async () => body.toString('utf8') }) } as unknown as UpstreamResponse;
}

describe('mapAnthropicError', () => {
  it('keeps a 4xx status and Anthropic’s message, and does not retry it', async () => {
    const error = await mapAnthropicError(response(400, 'anthropic-invalid-request-error.json'), 'anthropic');
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', isRetryable: false });
    expect(error.message).toBe('max_tokens: 100000 > 8192, which is the maximum allowed number of output tokens for claude-3-5-haiku-20241022');
  });

  it('makes 529 overloaded a retryable 502', async () => {
    const error = await mapAnthropicError(response(529, 'anthropic-overloaded-error.json'), 'anthropic');
    expect(error).toMatchObject({ status: 502, upstreamStatus: 529, isRetryable: true, code: 'upstream_error' });
  });

  it('honours retry-after on a 429', async () => {
    const error = await mapAnthropicError(response(429, 'anthropic-rate-limit-error.json', { 'retry-after': '17' }), 'anthropic');
    expect(error).toMatchObject({ status: 429, type: 'rate_limit_error', isRetryable: true, retryAfterMs: 17_000 });
  });
});

describe('mapAnthropicStreamError', () => {
  it.each([
    ['overloaded_error', 502, true],
    ['api_error', 502, true],
    ['rate_limit_error', 429, true],
    ['invalid_request_error', 400, false],
  ])('maps a %s event to status %i', (type, status, isRetryable) => {
    expect(mapAnthropicStreamError({ type: 'error', error: { type, message: 'x' } }, 'anthropic')).toMatchObject({ status, isRetryable });
  });
});
