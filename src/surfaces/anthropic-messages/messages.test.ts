/**
 * End to end: `@anthropic-ai/sdk` → a real gateway on loopback → fake upstreams speaking each
 * provider's wire format. Three targets: an Anthropic model (native pass-through), an
 * OpenAI-compatible model (translated both ways), and a learned route over both.
 */
import { readFileSync } from 'node:fs';
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lookupPrice } from '../../cost/price-catalog.js';
import { loadLearnedRouter, DEFAULT_ROUTER_PATH } from '../../routing/learned/index.js';
import { FakeUpstream, type FakeReply, type FakeRequest } from '../../testing/fake-upstream.js';
import { getJson } from '../../testing/http.js';
import { openAICompletion, openAIError, openAIStream } from '../../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../../testing/test-gateway.js';

const SONNET = 'claude-sonnet-4-5-20250929';
const anthropicFixture = (name: string) => readFileSync(new URL(`../../providers/anthropic/__fixtures__/${name}`, import.meta.url), 'utf8');
const claudeCodeTurn = JSON.parse(readFileSync(new URL('./__fixtures__/claude-code-request.json', import.meta.url), 'utf8'));
const recordedStream = (name: string): FakeReply => ({ raw: anthropicFixture(name), headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
const anthropicJson = (name: string): FakeReply => ({ json: JSON.parse(anthropicFixture(name)) });

const easyPrompt = 'What is the capital of France?';
const hardPrompt =
  'A train leaves at 3:15 pm travelling 84 km/h; a second leaves the same station at 4:05 pm at 112 km/h on a parallel track. At what time, to the minute, does the second train catch up, and how far from the station? Show each step of the algebra and verify the answer.';

let anthropicUpstream: FakeUpstream;
let openaiUpstream: FakeUpstream;
let harness: TestGateway;
let client: Anthropic;

/** An OpenAI stream of tool-call deltas, as OpenAI sends them. */
function openAIToolCallStream(calls: Array<{ id: string; name: string; arguments: string }>): FakeReply {
  const base = { id: 'chatcmpl-tools', object: 'chat.completion.chunk', created: 1741570283, model: 'gpt-4o-mini-2024-07-18' };
  const delta = (value: unknown, finish: string | null = null) => JSON.stringify({ ...base, choices: [{ index: 0, delta: value, logprobs: null, finish_reason: finish }], usage: null });
  return {
    sse: [
      delta({ role: 'assistant', content: null }),
      ...calls.flatMap((call, index) => [
        delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
        delta({ tool_calls: [{ index, function: { arguments: call.arguments.slice(0, 5) } }] }),
        delta({ tool_calls: [{ index, function: { arguments: call.arguments.slice(5) } }] }),
      ]),
      delta({}, 'tool_calls'),
      JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 90, completion_tokens: 22, total_tokens: 112 } }),
      '[DONE]',
    ],
  };
}

const lastRecord = async () => (await getJson(`${harness.url}/api/requests?limit=1`)).data[0];
const weatherTool = { name: 'get_weather', description: 'Current weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } };

beforeAll(async () => {
  anthropicUpstream = await FakeUpstream.start(() => anthropicJson('anthropic-thinking.json'));
  openaiUpstream = await FakeUpstream.start((request) => (request.body.stream ? openAIStream(['Paris', ' it is.']) : openAICompletion({ content: 'Paris.', promptTokens: 40, completionTokens: 3 })));
  const router = loadLearnedRouter(DEFAULT_ROUTER_PATH);
  harness = await startTestGateway({
    models: [
      { name: 'sonnet', provider: 'anthropic', model: SONNET, base_url: anthropicUpstream.url, api_key: 'sk-ant-upstream' },
      { name: 'gpt-4o-mini', provider: 'openai-compatible', model: 'gpt-4o-mini', base_url: `${openaiUpstream.url}/v1` },
      // For the tests whose upstream answers with retry-after: it cools its deployment down.
      { name: 'sonnet-limited', provider: 'anthropic', model: SONNET, base_url: anthropicUpstream.url, api_key: 'sk-ant-upstream' },
      { name: 'gpt-4o-mini-limited', provider: 'openai-compatible', model: 'gpt-4o-mini', base_url: `${openaiUpstream.url}/v1` },
    ],
    routes: [{ name: 'auto', strategy: 'learned', weak: 'gpt-4o-mini', strong: 'sonnet', threshold: (router.score(easyPrompt) + router.score(hardPrompt)) / 2 }],
    // Generous: tests run beside others on a loaded machine, and none of these tests a timeout.
    timeouts: { connect_ms: 2000, first_token_ms: 5000, total_ms: 10000 },
    retry: { attempts: 1 },
  });
  client = new Anthropic({ baseURL: harness.url, apiKey: 'sk-test-client', maxRetries: 0 });
});

afterAll(async () => {
  await harness.close();
  await anthropicUpstream.close();
  await openaiUpstream.close();
});

afterEach(() => {
  anthropicUpstream.setHandler(() => anthropicJson('anthropic-thinking.json'));
  openaiUpstream.setHandler((request: FakeRequest) => (request.body.stream ? openAIStream(['Paris', ' it is.']) : openAICompletion({ content: 'Paris.', promptTokens: 40, completionTokens: 3 })));
});

describe('/v1/messages to an Anthropic model: native pass-through', () => {
  it('sends the body as the client wrote it and returns Anthropic’s message under the client’s model name', async () => {
    const body = { model: 'sonnet', max_tokens: 2048, thinking: { type: 'enabled' as const, budget_tokens: 1024 }, messages: [{ role: 'user' as const, content: 'What is 27 × 453?' }] };
    const { data: message, response } = await client.messages.create(body).withResponse();
    expect(anthropicUpstream.lastRequest.body).toEqual({ ...body, model: SONNET });
    expect(anthropicUpstream.lastRequest.headers['x-api-key']).toBe('sk-ant-upstream');
    const recorded = JSON.parse(anthropicFixture('anthropic-thinking.json'));
    expect(message).toEqual({ ...recorded, model: 'sonnet' });
    expect(response.headers.get('x-switchboard-model')).toBe('sonnet');
    expect(response.headers.get('x-switchboard-provider')).toBe('anthropic');
    const price = lookupPrice(SONNET)!;
    expect(Number(response.headers.get('x-switchboard-cost-usd'))).toBeCloseTo((46 * price.input + 92 * price.output) / 1e6, 10);
  });

  it('streams a Claude Code turn with its beta header, keeping thinking, signature and tool uses, and logs it like chat', async () => {
    anthropicUpstream.setHandler(() => recordedStream('anthropic-claude-code-turn.chunks.txt'));
    const beta = 'claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14';
    const stream = client.messages.stream({ ...claudeCodeTurn, model: 'sonnet' }, { headers: { 'anthropic-beta': beta } });
    const message = await stream.finalMessage();
    const sent = anthropicUpstream.lastRequest;
    expect(sent.headers['anthropic-beta']).toBe(beta);
    expect(sent.body).toEqual({ ...claudeCodeTurn, model: SONNET, stream: true });
    expect(message.model).toBe('sonnet');
    expect(message.content[0]).toEqual({
      type: 'thinking',
      thinking: 'The user wants to know why the tests fail. I should look at the test files and the package manifest first.',
      signature: expect.stringMatching(/^ErcCCkYIBxgCKkDl3vV5J9qf.*rUz==$/),
    });
    expect(message.content.slice(2)).toEqual([
      { type: 'tool_use', id: 'toolu_01FhT4ZcVx2EvCDpp3mJ7qYk', name: 'Glob', input: { pattern: 'src/**/*.test.ts' } },
      { type: 'tool_use', id: 'toolu_01Lw9d2CqGmXoRrE8bSUtPzN', name: 'Read', input: { file_path: '/home/dev/project/package.json' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 3, cache_creation_input_tokens: 1722, cache_read_input_tokens: 14683, output_tokens: 168 });
    const price = lookupPrice(SONNET)!;
    const record = await lastRecord();
    expect(record).toMatchObject({ surface: 'messages', requested_model: 'sonnet', served_model: 'sonnet', streamed: true, status: 200, prompt_tokens: 16408, completion_tokens: 168, cached_tokens: 14683 });
    expect(record.cost_usd).toBeCloseTo((3 * price.input + 14683 * price.cached_input! + 1722 * price.cache_write! + 168 * price.output) / 1e6, 10);
  });

  it('answers an Anthropic 529 with overloaded_error and its retry-after', async () => {
    anthropicUpstream.setHandler(() => ({ status: 529, json: JSON.parse(anthropicFixture('anthropic-overloaded-error.json')), headers: { 'retry-after': '4' } }));
    const failure = await client.messages.create({ model: 'sonnet-limited', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect(failure).toMatchObject({ status: 529, type: 'overloaded_error' });
    expect((failure as APIError).headers?.get('retry-after')).toBe('4');
  });

  it('ends a stream that fails mid-way with an error event the SDK raises', async () => {
    anthropicUpstream.setHandler(() => recordedStream('anthropic-overloaded.chunks.txt'));
    let text = '';
    const stream = client.messages.stream({ model: 'sonnet', max_tokens: 100, messages: [{ role: 'user', content: 'Tell a story' }] });
    stream.on('text', (delta) => (text += delta));
    const failure = await stream.finalMessage().catch((error: unknown) => error);
    expect(failure).toMatchObject({ type: 'overloaded_error' });
    expect(text).toBe('Once upon');
    expect(await lastRecord()).toMatchObject({ surface: 'messages', error_code: 'stream_interrupted' });
  });
});

describe('/v1/messages to an OpenAI-compatible model: translated both ways', () => {
  it('translates a request and answers in Anthropic’s format, priced from the upstream usage', async () => {
    // This SDK version no longer types `temperature`; clients such as Claude Code still send it.
    const body = { model: 'gpt-4o-mini', max_tokens: 64, system: 'Answer in one word.', messages: [{ role: 'user' as const, content: easyPrompt }], temperature: 0.2 };
    const { data: message, response } = await client.messages.create(body as Anthropic.MessageCreateParamsNonStreaming).withResponse();
    expect(openaiUpstream.lastRequest.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Answer in one word.' },
        { role: 'user', content: easyPrompt },
      ],
      max_tokens: 64,
      temperature: 0.2,
    });
    expect(message).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [{ type: 'text', text: 'Paris.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 40, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    const price = lookupPrice('gpt-4o-mini')!;
    expect(Number(response.headers.get('x-switchboard-cost-usd'))).toBeCloseTo((40 * price.input + 3 * price.output) / 1e6, 12);
  });

  it('streams text through messages.stream', async () => {
    const message = await client.messages.stream({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: easyPrompt }] }).finalMessage();
    expect(openaiUpstream.lastRequest.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(message.content).toEqual([{ type: 'text', text: 'Paris it is.' }]);
    expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 2 });
    expect(await lastRecord()).toMatchObject({ surface: 'messages', streamed: true, prompt_tokens: 12, completion_tokens: 2 });
  });

  it('streams tool calls as tool_use blocks and sends the tool results back as tool messages', async () => {
    openaiUpstream.setHandler(() => openAIToolCallStream([{ id: 'call_sf', name: 'get_weather', arguments: '{"city":"San Francisco"}' }, { id: 'call_ny', name: 'get_weather', arguments: '{"city":"New York"}' }]));
    const question = { role: 'user' as const, content: 'Weather in SF and NYC?' };
    const turn = await client.messages.stream({ model: 'gpt-4o-mini', max_tokens: 256, tools: [weatherTool], tool_choice: { type: 'any' }, messages: [question] }).finalMessage();
    expect(openaiUpstream.lastRequest.body).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool.input_schema } }], tool_choice: 'required' });
    expect(turn.stop_reason).toBe('tool_use');
    expect(turn.content).toEqual([
      { type: 'tool_use', id: 'call_sf', name: 'get_weather', input: { city: 'San Francisco' } },
      { type: 'tool_use', id: 'call_ny', name: 'get_weather', input: { city: 'New York' } },
    ]);

    openaiUpstream.setHandler(() => openAICompletion({ content: 'Foggy in SF, sunny in NYC.' }));
    const answer = await client.messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 256,
      tools: [weatherTool],
      messages: [
        question,
        { role: 'assistant', content: turn.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_sf', content: '18°C, fog' },
            { type: 'tool_result', tool_use_id: 'call_ny', content: '25°C, sun' },
          ],
        },
      ],
    });
    expect(openaiUpstream.lastRequest.body.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_sf', type: 'function', function: { name: 'get_weather', arguments: '{"city":"San Francisco"}' } },
          { id: 'call_ny', type: 'function', function: { name: 'get_weather', arguments: '{"city":"New York"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_sf', content: '18°C, fog' },
      { role: 'tool', tool_call_id: 'call_ny', content: '25°C, sun' },
    ]);
    expect(answer.content).toEqual([{ type: 'text', text: 'Foggy in SF, sunny in NYC.' }]);
  });

  it('sends images as image_url parts', async () => {
    await client.messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            { type: 'text', text: 'What is in these?' },
          ],
        },
      ],
    });
    expect(openaiUpstream.lastRequest.body.messages[0].content).toEqual([
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
      { type: 'text', text: 'What is in these?' },
    ]);
  });

  it('refuses an Anthropic server tool with a 400 naming it, without calling the upstream', async () => {
    const calls = openaiUpstream.requests.length;
    const failure = await client.messages
      .create({ model: 'gpt-4o-mini', max_tokens: 64, tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'News?' }] })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.BadRequestError);
    expect((failure as APIError).type).toBe('invalid_request_error');
    expect((failure as APIError).message).toContain("The Anthropic tool 'web_search' (web_search_20250305) (at 'tools.0') can only be served by an Anthropic deployment");
    expect(openaiUpstream.requests.length).toBe(calls);
  });

  it('passes an upstream rate limit on as rate_limit_error', async () => {
    openaiUpstream.setHandler(() => openAIError(429, 'Rate limit reached for gpt-4o-mini.', 'requests', 'rate_limit_exceeded', { 'retry-after': '20' }));
    const failure = await client.messages.create({ model: 'gpt-4o-mini-limited', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.RateLimitError);
    expect((failure as APIError).headers?.get('retry-after')).toBe('20');
    expect((failure as APIError).type).toBe('rate_limit_error');
  });
});

describe('/v1/messages to a learned route', () => {
  it('serves an easy prompt from the weak OpenAI-compatible model, translated', async () => {
    const { data: message, response } = await client.messages.create({ model: 'auto', max_tokens: 64, messages: [{ role: 'user', content: easyPrompt }] }).withResponse();
    expect(response.headers.get('x-switchboard-model')).toBe('gpt-4o-mini');
    expect(response.headers.get('x-switchboard-route')).toBe('auto; strategy=learned; decision=weak');
    expect(message.model).toBe('auto');
    expect(message.content).toEqual([{ type: 'text', text: 'Paris.' }]);
  });

  it('serves a hard prompt from the strong Anthropic model, natively, streamed', async () => {
    anthropicUpstream.setHandler(() => recordedStream('anthropic-thinking.chunks.txt'));
    const stream = client.messages.stream({ model: 'auto', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: hardPrompt }] });
    const message = await stream.finalMessage();
    expect(anthropicUpstream.lastRequest.body).toMatchObject({ model: SONNET, thinking: { type: 'enabled', budget_tokens: 1024 }, stream: true });
    expect(message.model).toBe('auto');
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    expect(await lastRecord()).toMatchObject({ surface: 'messages', route: 'auto', route_decision: 'strong', served_model: 'sonnet' });
  });
});

describe('/v1/messages errors and count_tokens', () => {
  it('answers an unknown model with not_found_error', async () => {
    const failure = await client.messages.create({ model: 'claude-9', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.NotFoundError);
    expect((failure as APIError).type).toBe('not_found_error');
  });

  it('answers an invalid body with invalid_request_error naming the field', async () => {
    const response = await fetch(`${harness.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-test-client' },
      body: JSON.stringify({ model: 'sonnet', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', data: 'x' } }] }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'messages.0.content.0.source.media_type: Field required' } });
  });

  it('counts input tokens for count_tokens without calling an upstream', async () => {
    const calls = anthropicUpstream.requests.length + openaiUpstream.requests.length;
    const { max_tokens: _maxTokens, stream: _stream, thinking: _thinking, metadata: _metadata, temperature: _temperature, ...countable } = claudeCodeTurn;
    const counted = await client.messages.countTokens({ ...countable, model: 'sonnet' });
    expect(counted.input_tokens).toBeGreaterThan(1000);
    expect(anthropicUpstream.requests.length + openaiUpstream.requests.length).toBe(calls);
  });
});

describe('/v1/messages authentication', () => {
  const ADMIN_KEY = 'sk-admin-anthropic-surface-test';
  let secured: TestGateway;
  beforeAll(async () => {
    secured = await startTestGateway({ admin_key: ADMIN_KEY, models: [{ name: 'gpt-4o-mini', provider: 'openai-compatible', model: 'gpt-4o-mini', base_url: `${openaiUpstream.url}/v1` }] });
  });
  afterAll(() => secured.close());

  it('takes the key from x-api-key, as the Anthropic SDK sends it, and refuses a wrong one with authentication_error', async () => {
    const message = await new Anthropic({ baseURL: secured.url, apiKey: ADMIN_KEY, maxRetries: 0 }).messages.create({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Paris.' }]);
    const failure = await new Anthropic({ baseURL: secured.url, apiKey: 'sk-wrong', maxRetries: 0 }).messages.create({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((failure as APIError).type).toBe('authentication_error');
  });
});
