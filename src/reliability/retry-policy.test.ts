import { describe, expect, it } from 'vitest';
import { InvalidRequestError, RateLimitError, UpstreamConnectionError, UpstreamHttpError, UpstreamMalformedResponseError, UpstreamTimeoutError } from '../errors/index.js';
import { backoffDelayMs, classifyFailure, fitsBeforeDeadline } from './retry-policy.js';

const upstream = (status: number, code: string | null = null, message = 'upstream said no') =>
  new UpstreamHttpError({ provider: 'openai', upstreamStatus: status, upstreamMessage: message, upstreamCode: code });

describe('retry policy', () => {
  it('retries 5xx, 408, 409 and 429', () => {
    for (const status of [500, 502, 503, 504, 529, 408, 409, 429]) expect(classifyFailure(upstream(status)), String(status)).toBe('retry');
  });

  it('never retries any other 4xx', () => {
    for (const status of [400, 401, 403, 404, 413, 422]) expect(classifyFailure(upstream(status)), String(status)).toBe('fatal');
    expect(classifyFailure(new InvalidRequestError('bad field', 'messages'))).toBe('fatal');
  });

  it('retries reset connections, malformed bodies and timeouts', () => {
    expect(classifyFailure(new UpstreamConnectionError('openai', 'network error ECONNRESET'))).toBe('retry');
    expect(classifyFailure(new UpstreamMalformedResponseError('openai', 'body is not JSON'))).toBe('retry');
    expect(classifyFailure(new UpstreamTimeoutError('openai', 'first_token', 300))).toBe('retry');
  });

  it('does not retry the gateway’s own rate limits (budgets), only the upstream’s', () => {
    expect(classifyFailure(new RateLimitError('over your key limit'))).toBe('fatal');
  });

  it('sends context_length_exceeded to the context-window detour, by code or by message', () => {
    expect(classifyFailure(upstream(400, 'context_length_exceeded'))).toBe('context-window');
    expect(classifyFailure(upstream(400, null, 'prompt is too long: 210000 tokens > 200000 maximum'))).toBe('context-window');
  });

  it('sends an upstream content-filter error to the content-filter detour', () => {
    expect(classifyFailure(upstream(400, 'content_filter'))).toBe('content-filter');
    expect(classifyFailure(upstream(400, null, "The response was filtered due to the prompt triggering Azure OpenAI's content management policy."))).toBe('content-filter');
  });

  it('calls a failure after the client left cancelled, whatever the error', () => {
    const controller = new AbortController();
    controller.abort();
    expect(classifyFailure(upstream(503), controller.signal)).toBe('cancelled');
  });

  it('backs off exponentially with full jitter under the ceiling', () => {
    const settings = { backoffMs: 200, maxBackoffMs: 5000 };
    expect(backoffDelayMs(0, settings, () => 0.999)).toBe(199);
    expect(backoffDelayMs(2, settings, () => 0.999)).toBe(799);
    expect(backoffDelayMs(10, settings, () => 0.999)).toBe(4995);
    expect(backoffDelayMs(3, settings, () => 0)).toBe(0);
    for (let retry = 0; retry < 20; retry++) expect(backoffDelayMs(retry, settings, Math.random)).toBeLessThan(5000);
  });

  it('refuses a sleep that would end at or past the deadline', () => {
    expect(fitsBeforeDeadline(1000, 499, 1500)).toBe(true);
    expect(fitsBeforeDeadline(1000, 500, 1500)).toBe(false);
  });
});
