import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { FakeUpstream } from '../../testing/fake-upstream.js';
import { openAICompletion, openAIError, openAIStream } from '../../testing/openai-replies.js';
import { getJson } from '../../testing/http.js';
import { startTestGateway, type TestGateway } from '../../testing/test-gateway.js';

let upstream: FakeUpstream;
let harness: TestGateway;

beforeAll(async () => {
  upstream = await FakeUpstream.start(() => openAICompletion());
  harness = await startTestGateway({
    models: [
      { name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream-secret-123' },
      { name: 'local-llama', provider: 'openai-compatible', model: 'llama3.1:8b', base_url: `${upstream.url}/v1`, price: { input: 0.1, output: 0.2 } },
    ],
    timeouts: { connect_ms: 1000, first_token_ms: 300, total_ms: 2000 },
    retry: { attempts: 1 },
  });
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

afterEach(() => upstream.setHandler(() => openAICompletion()));

describe('non-streaming chat completions', () => {
  it('passes the request through to OpenAI with the upstream model and key, and returns its answer', async () => {
    const response = await harness.client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: 'Hello' },
        ],
        temperature: 0.2,
        top_p: 0.9,
        stop: ['END'],
        max_completion_tokens: 50,
        seed: 7,
        user: 'end-user-1',
        metadata: { team: 'search' },
      })
      .withResponse();
    expect(response.data.choices[0]!.message.content).toBe('Hello! How can I help you today?');
    expect(upstream.lastRequest.path).toBe('/v1/chat/completions');
    expect(upstream.lastRequest.headers.authorization).toBe('Bearer sk-upstream-secret-123');
    expect(upstream.lastRequest.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      max_completion_tokens: 50,
      seed: 7,
      user: 'end-user-1',
      metadata: { team: 'search' },
    });
    const headers = response.response.headers;
    expect(headers.get('x-request-id')).toMatch(/^req_/);
    expect(headers.get('x-switchboard-model')).toBe('gpt-4o-mini');
    expect(headers.get('x-switchboard-provider')).toBe('openai');
    // 12 prompt tokens at $0.15/1M + 9 completion tokens at $0.60/1M.
    expect(Number(headers.get('x-switchboard-cost-usd'))).toBeCloseTo((12 * 0.15 + 9 * 0.6) / 1e6, 12);
  });

  it('prices cached prompt tokens at the cached-input rate', async () => {
    upstream.setHandler(() => openAICompletion({ promptTokens: 2000, cachedTokens: 1536, completionTokens: 100 }));
    const response = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    const expected = (464 * 0.15 + 1536 * 0.075 + 100 * 0.6) / 1e6;
    expect(Number(response.response.headers.get('x-switchboard-cost-usd'))).toBeCloseTo(expected, 12);
  });

  it('counts tokens itself and marks the cost estimated when the upstream reports no usage', async () => {
    upstream.setHandler(() => openAICompletion({ usage: false, content: 'Four.' }));
    const response = await harness.client.chat.completions.create({ model: 'local-llama', messages: [{ role: 'user', content: 'What is two plus two?' }] }).withResponse();
    expect(response.response.headers.get('x-switchboard-cost-estimated')).toBe('true');
    expect(Number(response.response.headers.get('x-switchboard-cost-usd'))).toBeGreaterThan(0);
    expect(upstream.lastRequest.body.model).toBe('llama3.1:8b');
  });

  it('passes tools through and returns tool calls', async () => {
    upstream.setHandler(() => openAICompletion({ toolCalls: [{ id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris"}' }], content: null }));
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
    const completion = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools, tool_choice: 'auto' });
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]!.message.tool_calls).toEqual([{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
    expect(upstream.lastRequest.body.tools).toEqual(tools);
    expect(upstream.lastRequest.body.tool_choice).toBe('auto');
  });

  it('passes JSON mode and json_schema response formats through', async () => {
    upstream.setHandler(() => openAICompletion({ content: '{"answer":4}' }));
    const format = { type: 'json_schema' as const, json_schema: { name: 'answer', schema: { type: 'object', properties: { answer: { type: 'number' } } }, strict: true } };
    const completion = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '2+2 as JSON' }], response_format: format });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ answer: 4 });
    expect(upstream.lastRequest.body.response_format).toEqual(format);
    await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'JSON please' }], response_format: { type: 'json_object' } });
    expect(upstream.lastRequest.body.response_format).toEqual({ type: 'json_object' });
  });

  it('passes image parts through untouched', async () => {
    const content = [
      { type: 'text' as const, text: 'What is in this image?' },
      { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' as const } },
    ];
    await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
    expect(upstream.lastRequest.body.messages[0].content).toEqual(content);
  });
});

describe('streaming chat completions', () => {
  it('streams chunks and the usage chunk when include_usage is set, and logs TTFT and cost', async () => {
    upstream.setHandler(() => openAIStream(['Hel', 'lo', '!'], { promptTokens: 10, completionTokens: 3 }));
    const stream = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello!');
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 });
    expect(upstream.lastRequest.body.stream).toBe(true);
    expect(upstream.lastRequest.body.stream_options).toEqual({ include_usage: true });
    const [record] = (await getJson(`${harness.url}/api/requests?limit=1`)).data;
    expect(record).toMatchObject({ streamed: true, status: 200, prompt_tokens: 10, completion_tokens: 3, served_model: 'gpt-4o-mini' });
    expect(record.ttft_ms).toBeGreaterThan(0);
    expect(record.cost_usd).toBeCloseTo((10 * 0.15 + 3 * 0.6) / 1e6, 12);
  });

  it('still asks the upstream for usage but hides it when the client did not', async () => {
    upstream.setHandler(() => openAIStream(['a', 'b'], { promptTokens: 5, completionTokens: 2 }));
    const stream = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(upstream.lastRequest.body.stream_options).toEqual({ include_usage: true });
    expect(chunks.every((chunk) => chunk.usage === undefined)).toBe(true);
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
  });

  it('passes the upstream stream through byte for byte when the client asked for usage, and rewrites it when not', async () => {
    const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
    const frames = [
      JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hé' }, finish_reason: null }], usage: null }),
      JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null }),
      JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 } }),
    ];
    upstream.setHandler(() => ({ sse: [...frames, '[DONE]'] }));
    const send = (streamOptions?: object) =>
      fetch(`${harness.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true, ...(streamOptions ? { stream_options: streamOptions } : {}) }),
      }).then((response) => response.text());
    expect(await send({ include_usage: true })).toBe([...frames, '[DONE]'].map((frame) => `data: ${frame}\n\n`).join(''));
    const rewritten = await send();
    expect(rewritten).toBe(
      [JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hé' }, finish_reason: null }] }), JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }), '[DONE]']
        .map((frame) => `data: ${frame}\n\n`)
        .join(''),
    );
    const [record] = (await getJson(`${harness.url}/api/requests?limit=1`)).data;
    expect(record).toMatchObject({ prompt_tokens: 4, completion_tokens: 1, cost_estimated: false });
  });

  it('relays streamed tool-call deltas', async () => {
    const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
    const frames = [
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    ].map((frame) => JSON.stringify(frame));
    upstream.setHandler(() => ({ sse: [...frames, '[DONE]'] }));
    const stream = harness.client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather?' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls![0]!.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('ends a passed-through stream that breaks off with an OpenAI error event too', async () => {
    upstream.setHandler(() => openAIStream(['one ', 'two ', 'three'], { resetAfter: 2, gapMs: 30 }));
    const stream = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toThrow(/upstream/i);
    expect(text).toBe('one ');
    const [record] = (await getJson(`${harness.url}/api/requests?limit=1`)).data;
    expect(record.error_code).toBe('stream_interrupted');
  });

  it('counts streamed tokens itself and marks the cost estimated when the upstream reports no usage', async () => {
    upstream.setHandler(() => openAIStream(['Hello ', 'there, ', 'friend'], { usage: false }));
    const stream = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello there, friend');
    const [record] = (await getJson(`${harness.url}/api/requests?limit=1`)).data;
    expect(record).toMatchObject({ status: 200, cost_estimated: true });
    expect(record.completion_tokens).toBeGreaterThanOrEqual(3);
    expect(record.prompt_tokens).toBeGreaterThan(0);
  });

  it('ends the stream with an OpenAI error event when the upstream sends one mid-stream', async () => {
    const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
    const first = JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'par' }, finish_reason: null }] });
    upstream.setHandler(() => ({ sse: [first, JSON.stringify({ error: { message: 'The server is overloaded', type: 'server_error' } }), '[DONE]'] }));
    const stream = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toThrow(/overloaded/);
    expect(text).toBe('par');
    const [record] = (await getJson(`${harness.url}/api/requests?limit=1`)).data;
    expect(record.error_code).toBe('stream_interrupted');
  });

  it('ends the stream with an OpenAI error event when the upstream breaks off mid-stream', async () => {
    upstream.setHandler(() => openAIStream(['one ', 'two ', 'three'], { resetAfter: 2, gapMs: 30 }));
    const stream = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count' }], stream: true });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toThrow(/upstream/i);
    expect(text).toBe('one ');
    const [record] = (await getJson(`${harness.url}/api/requests?limit=1`)).data;
    expect(record.error_code).toBe('stream_interrupted');
  });
});

describe('errors', () => {
  const expectOpenAIError = async (promise: Promise<unknown>, status: number, code: string | null, param?: string) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(status);
    expect(apiError.code).toBe(code);
    if (param !== undefined) expect(apiError.param).toBe(param);
    expect(apiError.message).not.toMatch(/sk-upstream-secret|at .*\.ts:\d+/);
    return apiError;
  };

  it('rejects an invalid field with 400 naming it', async () => {
    await expectOpenAIError(harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], temperature: 7 }), 400, 'invalid_value', 'temperature');
    await expectOpenAIError(harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }), 400, 'invalid_value', 'messages');
  });

  it('rejects a body that is not JSON with 400', async () => {
    const response = await fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": "gpt-4o-mini",' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message: expect.stringContaining('JSON'), type: 'invalid_request_error', param: null, code: 'invalid_json' } });
  });

  it('answers an unknown model with 404 model_not_found listing the available models', async () => {
    const error = await expectOpenAIError(harness.client.chat.completions.create({ model: 'gpt-7', messages: [{ role: 'user', content: 'x' }] }), 404, 'model_not_found', 'model');
    expect(error.message).toContain('gpt-4o-mini, local-llama');
  });

  it('keeps an upstream 4xx status and message', async () => {
    upstream.setHandler(() => openAIError(400, "Invalid 'messages[0].content': string too long.", 'invalid_request_error', 'string_above_max_length'));
    const error = await expectOpenAIError(harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), 400, 'string_above_max_length');
    expect(error.message).toContain('string too long');
  });

  it('turns an upstream 5xx into 502', async () => {
    upstream.setHandler(() => openAIError(503, 'The server is overloaded.', 'server_error', null));
    await expectOpenAIError(harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), 502, 'upstream_error');
  });

  it('turns a broken connection into 502', async () => {
    upstream.setHandler(() => ({ reset: true }));
    await expectOpenAIError(harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), 502, 'upstream_connection_error');
  });

  it('turns a hung upstream into 504', async () => {
    upstream.setHandler(() => ({ hang: true }));
    await expectOpenAIError(harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), 504, 'upstream_timeout');
  });

  it('refuses an oversized body with 413', async () => {
    const small = await startTestGateway({ server: { max_body_bytes: 1024 }, models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1` }] });
    try {
      const client = new OpenAI({ baseURL: `${small.url}/v1`, apiKey: 'x', maxRetries: 0 });
      await expectOpenAIError(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }), 413, 'request_too_large');
    } finally {
      await small.close();
    }
  });

  it('logs failed requests with their status and error code', async () => {
    await harness.client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined);
    const [record] = (await getJson(`${harness.url}/api/requests?limit=1`)).data;
    expect(record).toMatchObject({ requested_model: 'no-such-model', status: 404, error_code: 'model_not_found' });
  });

  it('answers unknown paths and wrong methods in the same error shape', async () => {
    const notFound = await fetch(`${harness.url}/v1/nothing-here`);
    expect(notFound.status).toBe(404);
    expect((await notFound.json() as any).error.type).toBe('invalid_request_error');
    const wrongMethod = await fetch(`${harness.url}/v1/chat/completions`);
    expect(wrongMethod.status).toBe(405);
  });
});

describe('models, embeddings and health', () => {
  it('lists the configured models', async () => {
    const models = await harness.client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['gpt-4o-mini', 'local-llama']);
  });

  it('proxies embeddings', async () => {
    // Like OpenAI, answer in base64 float32 when asked (the official SDK asks by default).
    upstream.setHandler((request) => {
      const vector = [0.5, 0.25];
      const embedding = request.body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { json: { object: 'list', data: [{ object: 'embedding', index: 0, embedding }], model: 'text-embedding-3-small', usage: { prompt_tokens: 3, total_tokens: 3 } } };
    });
    const result = await harness.client.embeddings.create({ model: 'gpt-4o-mini', input: 'hello' });
    expect(result.data[0]!.embedding).toEqual([0.5, 0.25]);
    expect(upstream.lastRequest.body).toEqual({ model: 'gpt-4o-mini', input: 'hello', encoding_format: 'base64' });
    expect(upstream.lastRequest.path).toBe('/v1/embeddings');
  });

  it('reports health', async () => {
    const response = await fetch(`${harness.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });
});
