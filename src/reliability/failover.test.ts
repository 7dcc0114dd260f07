import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { FakeUpstream, type FakeHandler } from '../testing/fake-upstream.js';
import { healthy } from '../testing/faults.js';
import { openAICompletion, openAIError, openAIStream } from '../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.reverse()) await close();
  cleanup = [];
});

async function fake(handler: FakeHandler): Promise<FakeUpstream> {
  const upstream = await FakeUpstream.start(handler);
  cleanup.push(() => upstream.close());
  return upstream;
}

async function gateway(config: Record<string, unknown>): Promise<TestGateway> {
  const harness = await startTestGateway({
    timeouts: { connect_ms: 500, first_token_ms: 300, total_ms: 5000 },
    retry: { attempts: 3, backoff_ms: 20, max_backoff_ms: 2000 },
    ...config,
  });
  cleanup.push(() => harness.close());
  return harness;
}

/** One model whose first deployment (weight 1000) is nearly always tried first. */
function model(name: string, first: FakeUpstream, second?: FakeUpstream, extra: Record<string, unknown> = {}) {
  return {
    name,
    deployments: [
      { provider: 'openai', base_url: `${first.url}/v1`, weight: 1000 },
      ...(second ? [{ provider: 'openai', base_url: `${second.url}/v1`, weight: 0.001 }] : []),
    ],
    ...extra,
  };
}

async function lastRecord(harness: TestGateway) {
  const body = await getJson(`${harness.url}/api/requests?limit=1`);
  return body.data[0];
}

const ask = (harness: TestGateway, name = 'gpt-4o-mini') => harness.client.chat.completions.create({ model: name, messages: [{ role: 'user', content: 'Hi' }] });
/** The API error a call failed with; fails the test if it succeeded. */
async function failure(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

const getJson = async (url: string): Promise<any> => (await fetch(url)).json();

describe('retries and failover', () => {
  it('abandons a hung deployment at the first-token timeout and serves the request from the other', async () => {
    const hung = await fake(() => ({ hang: true }));
    const good = await fake(healthy);
    const harness = await gateway({ models: [model('gpt-4o-mini', hung, good)] });
    const started = performance.now();
    const completion = await ask(harness);
    const elapsed = performance.now() - started;
    expect(completion.choices[0]!.message.content).toBe('Hello! How can I help you today?');
    expect(hung.requests).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    // Far below the 5 s total timeout: the hang was cut at the 300 ms first-token timeout.
    expect(elapsed).toBeLessThan(2500);
    const record = await lastRecord(harness);
    expect(record.attempts[0].latency_ms).toBeGreaterThanOrEqual(290);
    expect(record.attempts[0].latency_ms).toBeLessThan(1000);
    expect(record.attempts.map((attempt: { deployment: string; error_code: string | null }) => [attempt.deployment, attempt.error_code])).toEqual([
      ['gpt-4o-mini#0', 'upstream_timeout'],
      ['gpt-4o-mini#1', null],
    ]);
    expect(record.deployment).toBe('gpt-4o-mini#1');
  });

  it('moves to the other deployment at once instead of retrying the one that failed', async () => {
    const failing = await fake(() => openAIError(503, 'overloaded', 'server_error', null));
    const good = await fake(healthy);
    const harness = await gateway({ models: [model('gpt-4o-mini', failing, good)], retry: { attempts: 3, backoff_ms: 5000, max_backoff_ms: 5000 } });
    const started = performance.now();
    await ask(harness);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(failing.requests).toHaveLength(1);
    expect(good.requests).toHaveLength(1);
  });

  it('does not retry a client error such as 400, on any deployment', async () => {
    const first = await fake(() => openAIError(400, "Invalid value for 'temperature'.", 'invalid_request_error', 'invalid_value'));
    const second = await fake(healthy);
    const harness = await gateway({ models: [model('gpt-4o-mini', first, second)] });
    const error = await failure(ask(harness));
    expect(error.status).toBe(400);
    expect(first.requests.length + second.requests.length).toBe(1);
    const record = await lastRecord(harness);
    expect(record.attempts).toHaveLength(1);
    expect(record.attempts[0]).toMatchObject({ status: 400, error_code: 'invalid_value' });
  });

  it('retries a 429 after the Retry-After the upstream asked for', async () => {
    let calls = 0;
    const upstream = await fake(() => (++calls === 1 ? openAIError(429, 'Rate limit reached', 'requests', 'rate_limit_exceeded', { 'retry-after': '1' }) : openAICompletion()));
    const harness = await gateway({ models: [model('gpt-4o-mini', upstream)] });
    const started = performance.now();
    const completion = await ask(harness);
    expect(completion.choices[0]!.message.content).toBe('Hello! How can I help you today?');
    expect(upstream.requests).toHaveLength(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    const record = await lastRecord(harness);
    expect(record.attempts.map((attempt: { status: number }) => attempt.status)).toEqual([429, 200]);
  });

  it('honours retry-after-ms too', async () => {
    let calls = 0;
    const upstream = await fake(() => (++calls === 1 ? openAIError(429, 'Rate limit reached', 'requests', 'rate_limit_exceeded', { 'retry-after-ms': '400' }) : openAICompletion()));
    const harness = await gateway({ models: [model('gpt-4o-mini', upstream)] });
    const started = performance.now();
    await ask(harness);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('passes a 429 to the client, with its Retry-After, when waiting would exceed the backoff ceiling', async () => {
    const upstream = await fake(() => openAIError(429, 'Rate limit reached', 'requests', 'rate_limit_exceeded', { 'retry-after': '20' }));
    const harness = await gateway({ models: [model('gpt-4o-mini', upstream)] });
    const started = performance.now();
    const error = await failure(ask(harness));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('20');
    expect(upstream.requests).toHaveLength(1);
  });

  it('never backs off past the total deadline', async () => {
    const upstream = await fake(() => openAIError(500, 'boom', 'server_error', null));
    const harness = await gateway({
      models: [model('gpt-4o-mini', upstream)],
      timeouts: { connect_ms: 500, first_token_ms: 300, total_ms: 700 },
      retry: { attempts: 10, backoff_ms: 400, max_backoff_ms: 4000 },
    });
    const started = performance.now();
    const error = await failure(ask(harness));
    const elapsed = performance.now() - started;
    expect(error.status).toBe(502);
    expect(elapsed).toBeLessThan(700 + 400);
    const record = await lastRecord(harness);
    const slept = record.attempts.reduce((sum: number, attempt: { backoff_ms?: number }) => sum + (attempt.backoff_ms ?? 0), 0);
    expect(slept).toBeLessThan(700);
    expect(record.attempts.length).toBeGreaterThanOrEqual(2);
  });

  it('gives each attempt only what is left of the total deadline', async () => {
    const hung = await fake(() => ({ hang: true }));
    const harness = await gateway({
      models: [model('gpt-4o-mini', hung)],
      timeouts: { connect_ms: 500, first_token_ms: 10_000, total_ms: 600 },
    });
    const started = performance.now();
    const error = await failure(ask(harness));
    expect(error.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(600 + 400);
  });

  it('logs every attempt of a request that failed everywhere', async () => {
    const first = await fake(() => openAIError(500, 'first is down', 'server_error', null));
    const second = await fake(() => ({ reset: true }));
    const harness = await gateway({ models: [model('gpt-4o-mini', first, second)], retry: { attempts: 2, backoff_ms: 10, max_backoff_ms: 10 } });
    const error = await failure(ask(harness));
    expect(error.status).toBe(502);
    const record = await lastRecord(harness);
    expect(record.status).toBe(502);
    expect(record.attempts).toMatchObject([
      { deployment: 'gpt-4o-mini#0', status: 500, error_code: 'upstream_error' },
      { deployment: 'gpt-4o-mini#1', status: null, error_code: 'upstream_connection_error' },
    ]);
    expect(record.attempts[0].error_message).toMatch(/first is down/);
  });

  it('tries the fallback models in order when every deployment is exhausted', async () => {
    const down = await fake(() => openAIError(503, 'down', 'server_error', null));
    const alsoDown = await fake(() => openAIError(502, 'down too', 'server_error', null));
    const backup = await fake(() => openAICompletion({ content: 'from the backup' }));
    const harness = await gateway({
      models: [model('gpt-4o-mini', down, undefined, { fallbacks: ['claude-haiku', 'backup'] }), model('claude-haiku', alsoDown), model('backup', backup)],
      retry: { attempts: 1, backoff_ms: 10, max_backoff_ms: 10 },
    });
    const response = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(response.data.choices[0]!.message.content).toBe('from the backup');
    expect(response.response.headers.get('x-switchboard-model')).toBe('backup');
    const record = await lastRecord(harness);
    expect(record.attempts.map((attempt: { model: string }) => attempt.model)).toEqual(['gpt-4o-mini', 'claude-haiku', 'backup']);
    expect(record.served_model).toBe('backup');
  });

  it('sends context_length_exceeded to the context-window fallback, skipping the ordinary fallbacks', async () => {
    const small = await fake(() => openAIError(400, "This model's maximum context length is 128000 tokens.", 'invalid_request_error', 'context_length_exceeded'));
    const ordinary = await fake(healthy);
    const large = await fake(() => openAICompletion({ content: 'long answer' }));
    const harness = await gateway({
      models: [model('gpt-4o-mini', small, undefined, { fallbacks: ['ordinary'], context_window_fallback: 'long-context' }), model('ordinary', ordinary), model('long-context', large)],
    });
    const completion = await ask(harness);
    expect(completion.choices[0]!.message.content).toBe('long answer');
    expect(small.requests).toHaveLength(1);
    expect(ordinary.requests).toHaveLength(0);
  });

  it('without a context-window fallback, returns the 400 untouched and does not retry', async () => {
    const small = await fake(() => openAIError(400, "This model's maximum context length is 128000 tokens.", 'invalid_request_error', 'context_length_exceeded'));
    const harness = await gateway({ models: [model('gpt-4o-mini', small)] });
    const error = await failure(ask(harness));
    expect(error.status).toBe(400);
    expect(error.code).toBe('context_length_exceeded');
    expect(small.requests).toHaveLength(1);
  });

  it('sends a content-filter refusal (finish_reason content_filter) to the content-filter fallback', async () => {
    const strict = await fake(() => openAICompletion({ content: null, finishReason: 'content_filter' }));
    const lenient = await fake(() => openAICompletion({ content: 'an answer' }));
    const harness = await gateway({ models: [model('gpt-4o-mini', strict, undefined, { content_filter_fallback: 'lenient' }), model('lenient', lenient)] });
    const completion = await ask(harness);
    expect(completion.choices[0]!.message.content).toBe('an answer');
    const record = await lastRecord(harness);
    expect(record.attempts.map((attempt: { model: string; error_code: string | null }) => [attempt.model, attempt.error_code])).toEqual([
      ['gpt-4o-mini', 'content_filter'],
      ['lenient', null],
    ]);
  });

  it('sends an upstream content-filter error to the content-filter fallback', async () => {
    const strict = await fake(() => openAIError(400, 'The response was filtered due to the prompt triggering content management policy.', 'invalid_request_error', 'content_filter'));
    const lenient = await fake(() => openAICompletion({ content: 'an answer' }));
    const harness = await gateway({ models: [model('gpt-4o-mini', strict, undefined, { content_filter_fallback: 'lenient' }), model('lenient', lenient)] });
    expect((await ask(harness)).choices[0]!.message.content).toBe('an answer');
  });

  it('returns the refusal itself when the model has no content-filter fallback', async () => {
    const strict = await fake(() => openAICompletion({ content: null, finishReason: 'content_filter' }));
    const harness = await gateway({ models: [model('gpt-4o-mini', strict)] });
    const completion = await ask(harness);
    expect(completion.choices[0]!.finish_reason).toBe('content_filter');
    expect(strict.requests).toHaveLength(1);
  });
});

describe('cooldown and health', () => {
  it('skips a deployment that failed N times in the window, reports it open, then probes it and closes the circuit', async () => {
    let broken = true;
    const flaky = await fake((request) => (broken ? openAIError(500, 'boom', 'server_error', null) : healthy(request)));
    const good = await fake(healthy);
    const harness = await gateway({ models: [model('gpt-4o-mini', flaky, good)], cooldown: { failures: 3, window_ms: 10_000, cooldown_ms: 600 } });
    for (let index = 0; index < 3; index++) await ask(harness);
    expect(flaky.requests).toHaveLength(3);
    for (let index = 0; index < 5; index++) await ask(harness);
    expect(flaky.requests).toHaveLength(3);

    const report = (await getJson(`${harness.url}/api/health/deployments`)).data;
    expect(report[0]).toMatchObject({ deployment: 'gpt-4o-mini#0', state: 'open', failures: 3, last_error_code: 'upstream_error', in_flight: 0 });
    expect(Date.parse(report[0].cooldown_until)).toBeGreaterThan(Date.now());
    expect(report[1]).toMatchObject({ deployment: 'gpt-4o-mini#1', state: 'closed', failures: 0 });
    expect(report[1].ewma_latency_ms).toBeGreaterThan(0);

    broken = false;
    await new Promise((resolve) => setTimeout(resolve, 650));
    await ask(harness);
    expect(flaky.requests).toHaveLength(4);
    const after = (await getJson(`${harness.url}/api/health/deployments`)).data;
    expect(after[0]).toMatchObject({ state: 'closed', failures: 0 });
  });

  it('still tries a cooling deployment when it is the only place left to go', async () => {
    let broken = true;
    const only = await fake((request) => (broken ? openAIError(500, 'boom', 'server_error', null) : healthy(request)));
    const harness = await gateway({ models: [model('gpt-4o-mini', only)], retry: { attempts: 1, backoff_ms: 10, max_backoff_ms: 10 }, cooldown: { failures: 1, window_ms: 10_000, cooldown_ms: 60_000 } });
    expect((await failure(ask(harness))).status).toBe(502);
    broken = false;
    expect((await ask(harness)).choices[0]!.message.content).toBe('Hello! How can I help you today?');
  });
});

describe('streams', () => {
  it('fails a stream over to the other deployment when the connection resets before the first chunk', async () => {
    const resetting = await fake(() => openAIStream(['never'], { resetAfter: 0 }));
    const good = await fake(healthy);
    const harness = await gateway({ models: [model('gpt-4o-mini', resetting, good)] });
    const stream = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello there!');
    expect(resetting.requests).toHaveLength(1);
    const record = await lastRecord(harness);
    expect(record.status).toBe(200);
    expect(record.attempts.map((attempt: { deployment: string; error_code: string | null }) => [attempt.deployment, attempt.error_code])).toEqual([
      ['gpt-4o-mini#0', expect.stringMatching(/^upstream_(connection_error|malformed_response)$/)],
      ['gpt-4o-mini#1', null],
    ]);
  });

  it('ends a stream cut mid-way with an error event, and the log and the attempt say so', async () => {
    const cutting = await fake(() => openAIStream(['one ', 'two ', 'three'], { resetAfter: 2, gapMs: 20 }));
    const good = await fake(healthy);
    const harness = await gateway({ models: [model('gpt-4o-mini', cutting, good)] });
    const stream = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    await expect((async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })()).rejects.toThrow(/upstream/i);
    expect(text).toBe('one ');
    expect(good.requests).toHaveLength(0);
    const record = await lastRecord(harness);
    expect(record.error_code).toBe('stream_interrupted');
    expect(record.attempts).toHaveLength(1);
    expect(record.attempts[0]).toMatchObject({ deployment: 'gpt-4o-mini#0', status: 200, error_code: 'upstream_connection_error' });
    const report = (await getJson(`${harness.url}/api/health/deployments`)).data;
    expect(report[0]).toMatchObject({ in_flight: 0, failures: 1, last_error_code: 'upstream_connection_error' });
  });
});

describe('load balancing through the gateway', () => {
  const twoWay = (name: string, first: FakeUpstream, second: FakeUpstream, strategy: string, limits: Array<Record<string, number>> = [{}, {}]) => ({
    name,
    load_balancing: strategy,
    deployments: [
      { provider: 'openai', base_url: `${first.url}/v1`, ...limits[0] },
      { provider: 'openai', base_url: `${second.url}/v1`, ...limits[1] },
    ],
  });

  it('lowest-latency: sends nearly all traffic to the faster deployment once both are measured', async () => {
    const slow = await fake(() => ({ ...(openAICompletion() as object), delayMs: 150 }) as ReturnType<typeof openAICompletion>);
    const fast = await fake(healthy);
    const harness = await gateway({ models: [twoWay('gpt-4o-mini', slow, fast, 'lowest-latency')] });
    for (let index = 0; index < 20; index++) await ask(harness);
    // One request measures the slow deployment; after that it gets none (a little slack for a loaded machine).
    expect(slow.requests.length).toBeGreaterThanOrEqual(1);
    expect(slow.requests.length).toBeLessThanOrEqual(3);
  });

  it('headroom: keeps a deployment under its rpm while the other has room', async () => {
    const small = await fake(healthy);
    const large = await fake(healthy);
    const harness = await gateway({ models: [twoWay('gpt-4o-mini', small, large, 'headroom', [{ rpm: 4 }, { rpm: 1000 }])] });
    for (let index = 0; index < 30; index++) await ask(harness);
    expect(small.requests.length).toBeLessThanOrEqual(4);
    expect(small.requests.length + large.requests.length).toBe(30);
  });

  it('least-in-flight: spreads concurrent requests evenly', async () => {
    const slowReply = () => ({ ...(openAICompletion() as object), delayMs: 200 }) as ReturnType<typeof openAICompletion>;
    const first = await fake(slowReply);
    const second = await fake(slowReply);
    // Weights this uneven would send nearly everything to the first under `weighted`.
    const harness = await gateway({ models: [twoWay('gpt-4o-mini', first, second, 'least-in-flight', [{ weight: 100 }, { weight: 1 }])] });
    await Promise.all(Array.from({ length: 10 }, () => ask(harness)));
    expect(first.requests.length).toBeGreaterThanOrEqual(4);
    expect(second.requests.length).toBeGreaterThanOrEqual(4);
    expect(first.requests.length + second.requests.length).toBe(10);
  });

  it('weighted: splits traffic by weight', async () => {
    const heavy = await fake(healthy);
    const light = await fake(healthy);
    const harness = await gateway({
      models: [{ name: 'gpt-4o-mini', deployments: [{ provider: 'openai', base_url: `${heavy.url}/v1`, weight: 9 }, { provider: 'openai', base_url: `${light.url}/v1`, weight: 1 }] }],
    });
    await Promise.all(Array.from({ length: 200 }, () => ask(harness)));
    expect(heavy.requests.length).toBeGreaterThan(150);
    expect(light.requests.length).toBeGreaterThan(5);
  });
});
