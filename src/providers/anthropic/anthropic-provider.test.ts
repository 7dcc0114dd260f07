/**
 * End to end: the official `openai` client → a real gateway → this adapter → a fake Anthropic
 * server replaying recorded response shapes.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream, type FakeReply } from '../../testing/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../testing/test-gateway.js';

const MODEL = 'claude-3-5-haiku-20241022';
/** Catalog price of claude-3-5-haiku, USD per 1M tokens. */
const PRICE = { input: 0.8, output: 4, cached_input: 0.08, cache_write: 1 };

function fixtureText(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}
const json = (name: string, status = 200, headers: Record<string, string> = {}): FakeReply => ({ status, json: JSON.parse(fixtureText(name)), headers });
/** A recorded stream, sent byte for byte as Anthropic framed it. */
const recordedStream = (name: string): FakeReply => ({ raw: fixtureText(name), headers: { 'content-type': 'text/event-stream; charset=utf-8' } });

let upstream: FakeUpstream;
let harness: TestGateway;

beforeAll(async () => {
  upstream = await FakeUpstream.start(() => json('anthropic-text.json'));
  harness = await startTestGateway({
    models: [
      { name: 'claude-haiku', provider: 'anthropic', model: MODEL, base_url: upstream.url, api_key: 'sk-ant-test' },
      // A second deployment for the rate-limit test: a 429 with retry-after cools its deployment down.
      { name: 'claude-haiku-limited', provider: 'anthropic', model: MODEL, base_url: upstream.url, api_key: 'sk-ant-test' },
    ],
    timeouts: { connect_ms: 1000, first_token_ms: 1000, total_ms: 3000 },
    retry: { attempts: 1 },
  });
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

afterEach(() => upstream.setHandler(() => json('anthropic-text.json')));

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } },
};

describe('Anthropic through the gateway, non-streaming', () => {
  it('sends the Messages API request with key and version headers, and prices the reported usage', async () => {
    const response = await harness.client.chat.completions
      .create({ model: 'claude-haiku', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }], temperature: 0.2, max_completion_tokens: 50, user: 'end-user-1' })
      .withResponse();
    const request = upstream.lastRequest;
    expect(request.path).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe('sk-ant-test');
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toEqual({
      model: MODEL,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
      max_tokens: 50,
      temperature: 0.2,
      metadata: { user_id: 'end-user-1' },
    });
    expect(response.data.choices[0]).toMatchObject({ message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop' });
    expect(response.data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 12, total_tokens: 24 });
    expect(response.response.headers.get('x-switchboard-provider')).toBe('anthropic');
    expect(Number(response.response.headers.get('x-switchboard-cost-usd'))).toBeCloseTo((12 * PRICE.input + 12 * PRICE.output) / 1e6, 12);
  });

  it('prices cache reads and cache writes at their own rates', async () => {
    upstream.setHandler(() => json('anthropic-prompt-cache.json'));
    const response = await harness.client.chat.completions.create({ model: 'claude-haiku', messages: [{ role: 'user', content: 'Summarise the contract.' }] }).withResponse();
    expect(response.data.usage).toMatchObject({ prompt_tokens: 2009, completion_tokens: 25, prompt_tokens_details: { cached_tokens: 1800 } });
    const expected = (21 * PRICE.input + 1800 * PRICE.cached_input + 188 * PRICE.cache_write + 25 * PRICE.output) / 1e6;
    expect(Number(response.response.headers.get('x-switchboard-cost-usd'))).toBeCloseTo(expected, 12);
  });

  it('returns tool_use as tool_calls, and sends the tool result back as a tool_result block', async () => {
    upstream.setHandler(() => json('anthropic-tool-call.json'));
    const first = await harness.client.chat.completions.create({ model: 'claude-haiku', messages: [{ role: 'user', content: 'Weather in SF?' }], tools: [weatherTool], tool_choice: 'required' });
    const message = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(message.tool_calls).toEqual([{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } }]);
    expect(upstream.lastRequest.body.tool_choice).toEqual({ type: 'any' });
    expect(upstream.lastRequest.body.tools).toEqual([{ name: 'get_weather', description: 'Current weather', input_schema: weatherTool.function.parameters }]);

    upstream.setHandler(() => json('anthropic-text.json'));
    await harness.client.chat.completions.create({
      model: 'claude-haiku',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in SF?' },
        message,
        { role: 'tool', tool_call_id: 'toolu_01A09q90qw90lq917835lq9', content: '{"celsius":18}' },
      ],
    });
    expect(upstream.lastRequest.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in SF?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: "I'll check the current weather in San Francisco for you." },
          { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: '{"celsius":18}' }] },
    ]);
  });

  it('serves JSON mode through the forced json_tool_call and returns its input as content', async () => {
    upstream.setHandler(() => json('anthropic-json-tool.json'));
    const schema = { type: 'object', properties: { city: { type: 'string' }, population: { type: 'number' } }, required: ['city', 'population'], additionalProperties: false };
    const completion = await harness.client.chat.completions.create({
      model: 'claude-haiku',
      messages: [{ role: 'user', content: 'Largest French city?' }],
      response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } },
    });
    expect(upstream.lastRequest.body.tool_choice).toEqual({ type: 'tool', name: 'json_tool_call' });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ city: 'Paris', population: 2102650 });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
  });

  it('sends image parts as base64 and url image blocks', async () => {
    await harness.client.chat.completions.create({
      model: 'claude-haiku',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }],
    });
    expect(upstream.lastRequest.body.messages[0].content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
    ]);
  });
});

describe('Anthropic through the gateway, streaming', () => {
  it('streams text chunks and a final usage chunk when include_usage is set', async () => {
    upstream.setHandler(() => recordedStream('anthropic-text.chunks.txt'));
    const stream = await harness.client.chat.completions.create({ model: 'claude-haiku', messages: [{ role: 'user', content: 'Hello' }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(upstream.lastRequest.body.stream).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello! How can I help you today?');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 12, total_tokens: 24 });
  });

  it('leaves the usage chunk out when the client did not ask for it', async () => {
    upstream.setHandler(() => recordedStream('anthropic-text.chunks.txt'));
    const stream = await harness.client.chat.completions.create({ model: 'claude-haiku', messages: [{ role: 'user', content: 'Hello' }], stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.choices.length === 1 && !chunk.usage)).toBe(true);
  });

  it('streams tool-call deltas that the openai client assembles into complete calls', async () => {
    upstream.setHandler(() => recordedStream('anthropic-tool-call.chunks.txt'));
    const stream = await harness.client.chat.completions.create({ model: 'claude-haiku', messages: [{ role: 'user', content: 'Weather and time in SF?' }], tools: [weatherTool], stream: true });
    const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
    let finishReason: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = (calls[delta.index] ??= { arguments: '' });
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.name = delta.function.name;
        call.arguments += delta.function?.arguments ?? '';
      }
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
    }
    expect(calls).toEqual([
      { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}' },
      { id: 'toolu_01SbXhTz1h6bYwL2Fm4W9Qyr', name: 'get_time', arguments: '{"timezone": "America/Los_Angeles"}' },
    ]);
    expect(finishReason).toBe('tool_calls');
  });

  it('ends the stream with an error when Anthropic sends an overloaded_error event mid-stream', async () => {
    upstream.setHandler(() => recordedStream('anthropic-overloaded.chunks.txt'));
    const stream = await harness.client.chat.completions.create({ model: 'claude-haiku', messages: [{ role: 'user', content: 'Tell a story' }], stream: true });
    let text = '';
    const failure = (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })();
    await expect(failure).rejects.toThrow(/Overloaded/);
    expect(text).toBe('Once upon');
  });

  it('reports a stream that stops before message_stop as a malformed upstream response', async () => {
    const frames = fixtureText('anthropic-text.chunks.txt').split('\n\n').filter(Boolean).slice(0, 4);
    upstream.setHandler(() => ({ sse: frames }));
    const stream = await harness.client.chat.completions.create({ model: 'claude-haiku', messages: [{ role: 'user', content: 'Hello' }], stream: true });
    const failure = (async () => {
      for await (const chunk of stream) void chunk;
    })();
    await expect(failure).rejects.toThrow(/ended before message_stop/);
  });
});

describe('Anthropic errors through the gateway', () => {
  it('keeps an upstream 400 with Anthropic’s message', async () => {
    upstream.setHandler(() => json('anthropic-invalid-request-error.json', 400));
    const error = await harness.client.chat.completions.create({ model: 'claude-haiku', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 100000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('max_tokens: 100000 > 8192');
  });

  it('keeps a 429 and passes Anthropic’s retry-after on', async () => {
    upstream.setHandler(() => json('anthropic-rate-limit-error.json', 429, { 'retry-after': '17' }));
    const error = (await harness.client.chat.completions.create({ model: 'claude-haiku-limited', messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers.get('retry-after')).toBe('17');
    expect(error.message).toContain('rate limit');
  });

  it('turns 529 overloaded into a 502', async () => {
    upstream.setHandler(() => json('anthropic-overloaded-error.json', 529));
    const error = (await harness.client.chat.completions.create({ model: 'claude-haiku', messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(error.message).toContain('Overloaded');
  });

  it('answers /v1/embeddings with a 400 explaining Anthropic has no embeddings', async () => {
    const error = (await harness.client.embeddings.create({ model: 'claude-haiku', input: 'hello' }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/no embeddings API/);
  });
});
