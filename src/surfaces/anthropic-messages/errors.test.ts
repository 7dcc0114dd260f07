import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BudgetExceededError,
  GatewayError,
  InvalidRequestError,
  MethodNotAllowedError,
  ModelNotFoundError,
  PayloadTooLargeError,
  PermissionError,
  RateLimitError,
  ServiceUnavailableError,
  UpstreamConnectionError,
  UpstreamHttpError,
  UpstreamTimeoutError,
} from '../../errors/index.js';
import { parseFrames } from '../../testing/anthropic-sdk-replay.js';
import { anthropicErrorFrame, anthropicErrorResponse } from './errors.js';

const statusAndType = (error: unknown) => {
  const response = anthropicErrorResponse(error);
  return [response.status, JSON.parse(response.body).error.type];
};

describe('anthropicErrorResponse', () => {
  it.each([
    ['a bad request', new InvalidRequestError('messages.0.content: Field required', 'messages.0.content'), 400, 'invalid_request_error'],
    ['a missing key', new AuthenticationError(), 401, 'authentication_error'],
    ['a key without scope', new PermissionError('This key may not use claude-opus.'), 403, 'permission_error'],
    ['an unknown model', new ModelNotFoundError('claude-9', ['claude-haiku']), 404, 'not_found_error'],
    ['a wrong method', new MethodNotAllowedError('GET', '/v1/messages'), 405, 'invalid_request_error'],
    ['a body over the limit', new PayloadTooLargeError(1024), 413, 'request_too_large'],
    ['a rate limit', new RateLimitError('Slow down.'), 429, 'rate_limit_error'],
    ['a spent budget', new BudgetExceededError('Monthly budget spent.'), 429, 'rate_limit_error'],
    ['an upstream 500', new UpstreamHttpError({ provider: 'openai', upstreamStatus: 500, upstreamMessage: 'boom' }), 502, 'api_error'],
    ['a broken connection', new UpstreamConnectionError('openai', 'reset'), 502, 'api_error'],
    ['no deployment available', new ServiceUnavailableError('All deployments are cooling down.'), 529, 'overloaded_error'],
    ['an Anthropic 529 after failover', new UpstreamHttpError({ provider: 'anthropic', upstreamStatus: 529, upstreamMessage: 'Overloaded' }), 529, 'overloaded_error'],
    ['an upstream timeout', new UpstreamTimeoutError('anthropic', 'first_token', 1000), 504, 'timeout_error'],
    ['an unknown error', new Error('secret at /etc/key'), 500, 'api_error'],
  ])('answers %s with Anthropic status and type', (_name, error, status, type) => {
    expect(statusAndType(error)).toEqual([status, type]);
  });

  it('writes the Anthropic body, with the request id when given, and hides an unknown error', () => {
    const response = anthropicErrorResponse(new InvalidRequestError('max_tokens: Field required', 'max_tokens'), {}, 'req_123');
    expect(JSON.parse(response.body)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' }, request_id: 'req_123' });
    const hidden = anthropicErrorResponse(new Error('ECONNREFUSED sk-live-abc'));
    expect(hidden.body).not.toContain('sk-live-abc');
  });

  it('keeps retry-after on 429 and 529, the error headers and the caller headers', () => {
    const limited = anthropicErrorResponse(new RateLimitError('Slow down.', { retryAfterMs: 1500, headers: { 'x-ratelimit-remaining-requests': '0' } }), { 'x-request-id': 'abc' });
    expect(limited.headers).toEqual({ 'content-type': 'application/json', 'x-request-id': 'abc', 'x-ratelimit-remaining-requests': '0', 'retry-after': '2' });
    const overloaded = new GatewayError('busy', { status: 503, type: 'server_error', code: 'service_unavailable', retryAfterMs: 10_000 });
    expect(anthropicErrorResponse(overloaded).headers['retry-after']).toBe('10');
    expect(anthropicErrorResponse(new InvalidRequestError('bad')).headers['retry-after']).toBeUndefined();
  });
});

describe('anthropicErrorFrame', () => {
  it('is an SSE error event with the Anthropic error body', () => {
    expect(parseFrames(anthropicErrorFrame(new ServiceUnavailableError('All deployments are cooling down.')))).toEqual([
      { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'All deployments are cooling down.' } } },
    ]);
  });
});
