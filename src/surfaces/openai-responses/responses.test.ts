/**
 * POST /v1/responses and GET/DELETE /v1/responses/{id} through a real gateway, with the official
 * `openai` client's `responses.create`, `responses.stream`, `responses.parse` and
 * `responses.retrieve` as callers, against an OpenAI-compatible fake, an Anthropic fake replaying
 * recorded responses (translated both ways), and a learned route.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { FakeUpstream, type FakeReply, type FakeRequest } from '../../testing/fake-upstream.js';
import { ADMIN_KEY, clientFor, createKey } from '../../testing/governance-test-helpers.js';
import { getJson } from '../../testing/http.js';
import { openAICompletion, openAIError, openAIStream } from '../../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../../testing/test-gateway.js';
import { DEFAULT_ROUTER_PATH, loadLearnedRouter } from '../../routing/learned/index.js';

const anthropicFixture = (name: string) => readFileSync(new URL(`../../providers/anthropic/__fixtures__/${name}`, import.meta.url), 'utf8');
const anthropicJson = (name: string): FakeReply => ({ json: JSON.parse(anthropicFixture(name)) });
const anthropicStream = (name: string): FakeReply => ({ raw: anthropicFixture(name), headers: { 'content-type': 'text/event-stream; charset=utf-8' } });

const easyPrompt = 'What is the capital of France?';
const hardPrompt =
  'A train leaves at 3:15 pm travelling 84 km/h; a second leaves the same station at 4:05 pm at 112 km/h on a parallel track. At what time, to the minute, does the second train catch up, and how far from the station? Show each step of the algebra and verify the answer.';

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather for a location',
  parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string' } }, required: ['location'] },
  strict: false,
};

const defaultOpenAIReply = (request: FakeRequest): FakeReply => (request.body.stream ? openAIStream(['Hello', ' from', ' upstream']) : openAICompletion({ model: request.body.model }));

let openaiUpstream: FakeUpstream;
let anthropicUpstream: FakeUpstream;
let harness: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  openaiUpstream = await FakeUpstream.start(defaultOpenAIReply);
  anthropicUpstream = await FakeUpstream.start(() => anthropicJson('anthropic-text.json'));
  const router = loadLearnedRouter(DEFAULT_ROUTER_PATH);
  const threshold = (router.score(easyPrompt) + router.score(hardPrompt)) / 2;
  const compatible = (name: string) => ({ name, provider: 'openai-compatible', model: name, base_url: `${openaiUpstream.url}/v1`, price: { input: 1, output: 2 } });
  harness = await startTestGateway(
    {
      admin_key: ADMIN_KEY,
      models: [
        compatible('gpt-4o-mini'),
        compatible('gpt-4o'),
        { name: 'claude-haiku', provider: 'anthropic', model: 'claude-3-5-haiku-20241022', base_url: anthropicUpstream.url, api_key: 'sk-ant-test' },
      ],
      routes: [{ name: 'auto', strategy: 'learned', weak: 'gpt-4o-mini', strong: 'gpt-4o', threshold }],
      timeouts: { connect_ms: 1000, first_token_ms: 1000, total_ms: 3000 },
      retry: { attempts: 1 },
    },
    { apiKey: ADMIN_KEY },
  );
  client = harness.client;
});

afterAll(async () => {
  await harness.close();
  await openaiUpstream.close();
  await anthropicUpstream.close();
});

afterEach(() => {
  openaiUpstream.setHandler(defaultOpenAIReply);
  anthropicUpstream.setHandler(() => anthropicJson('anthropic-text.json'));
});

async function apiError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (!(error instanceof OpenAI.APIError)) throw new Error(`expected an APIError, got ${String(error)}`);
  return error;
}

const lastRecord = async () => (await getJson(`${harness.url}/api/requests?limit=1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).data[0];

describe('an OpenAI-compatible model, translated', () => {
  it('answers responses.create and sends the upstream the equivalent Chat request', async () => {
    const { data, response } = await client.responses
      .create({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'Hello', max_output_tokens: 64, temperature: 0.2 })
      .withResponse();
    expect(data.output_text).toBe('Hello! How can I help you today?');
    expect(data).toMatchObject({ object: 'response', status: 'completed', model: 'gpt-4o-mini', instructions: 'Be brief.', max_output_tokens: 64, temperature: 0.2, error: null });
    expect(data.id).toMatch(/^resp_/);
    expect(data.usage).toMatchObject({ input_tokens: 12, output_tokens: 9, total_tokens: 21 });
    expect(response.headers.get('x-switchboard-model')).toBe('gpt-4o-mini');
    expect(openaiUpstream.lastRequest.path).toBe('/v1/chat/completions');
    expect(openaiUpstream.lastRequest.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
      max_completion_tokens: 64,
      temperature: 0.2,
    });
  });

  it('streams with responses.stream, ending in the final response and its output_text', async () => {
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Say hello' });
    const types: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Hello from upstream');
    expect(final.status).toBe('completed');
    expect(final.usage?.output_tokens).toBe(3);
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.completed');
    expect(openaiUpstream.lastRequest.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('runs a function-call round trip: the call, then its output sent back as input', async () => {
    openaiUpstream.setHandler(() => openAICompletion({ content: null, toolCalls: [{ id: 'call_abc', name: 'get_weather', arguments: '{"location":"Paris"}' }] }));
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'Weather in Paris?', tools: [weatherTool] });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', call_id: 'call_abc', name: 'get_weather', arguments: '{"location":"Paris"}' });
    openaiUpstream.setHandler(() => openAICompletion({ content: 'It is 18°C in Paris.' }));
    const second = await client.responses.create({
      model: 'gpt-4o-mini',
      tools: [weatherTool],
      input: [{ role: 'user', content: 'Weather in Paris?' }, ...first.output, { type: 'function_call_output', call_id: 'call_abc', output: '18°C' }] as OpenAI.Responses.ResponseInput,
    });
    expect(second.output_text).toBe('It is 18°C in Paris.');
    expect(openaiUpstream.lastRequest.body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_abc', content: '18°C' },
    ]);
  });

  it('parses a JSON-schema answer with responses.parse', async () => {
    openaiUpstream.setHandler(() => openAICompletion({ content: '{"city":"Rome","celsius":24}' }));
    const Weather = z.object({ city: z.string(), celsius: z.number() });
    const parsed = await client.responses.parse({ model: 'gpt-4o-mini', input: 'Warmest city?', text: { format: zodTextFormat(Weather, 'weather') } });
    expect(parsed.output_parsed).toEqual({ city: 'Rome', celsius: 24 });
    expect(openaiUpstream.lastRequest.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'weather', strict: true } });
  });

  it('passes images on as image_url parts', async () => {
    await client.responses.create({
      model: 'gpt-4o-mini',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is this?' }, { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'low' }] }],
    });
    expect(openaiUpstream.lastRequest.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } }] },
    ]);
  });

  it('refuses a built-in tool with a 400 naming it, without calling the upstream', async () => {
    const before = openaiUpstream.requests.length;
    const error = await apiError(client.responses.create({ model: 'gpt-4o-mini', input: 'News today?', tools: [{ type: 'web_search_preview' }] }));
    expect(error.status).toBe(400);
    expect(error.message).toContain("'web_search_preview'");
    expect(error.param).toBe('tools[0].type');
    expect(openaiUpstream.requests.length).toBe(before);
  });

  it('passes an upstream client error on in OpenAI’s shape', async () => {
    openaiUpstream.setHandler(() => openAIError(400, "Invalid 'messages[0].content': string too long.", 'invalid_request_error', 'string_above_max_length'));
    const error = await apiError(client.responses.create({ model: 'gpt-4o-mini', input: 'x' }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('string_above_max_length');
  });

  it('ends a stream that breaks midway with response.failed, and responses.stream rejects', async () => {
    openaiUpstream.setHandler(() => openAIStream(['Hel', 'lo', ' wor', 'ld'], { resetAfter: 3, gapMs: 30 }));
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Say hello' });
    const types: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    const error = await apiError(stream.finalResponse());
    expect(error.message).toMatch(/upstream/i);
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.failed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await lastRecord()).toMatchObject({ surface: 'responses', error_code: 'stream_interrupted' });
  });

  it('logs the request with its surface, tokens and cost like a chat completion', async () => {
    await client.responses.create({ model: 'gpt-4o-mini', input: 'Hello' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await lastRecord()).toMatchObject({ surface: 'responses', requested_model: 'gpt-4o-mini', served_model: 'gpt-4o-mini', status: 200, prompt_tokens: 12, completion_tokens: 9 });
    expect((await lastRecord()).cost_usd).toBeCloseTo((12 * 1 + 9 * 2) / 1e6, 12);
  });
});

describe('an Anthropic model, translated', () => {
  it('answers responses.create from a recorded Anthropic message, with instructions as the system prompt', async () => {
    const response = await client.responses.create({ model: 'claude-haiku', instructions: 'Be brief.', input: 'Hello' });
    expect(response.output_text).toBe('Hello! How can I help you today?');
    expect(response.model).toBe('claude-haiku');
    expect(anthropicUpstream.lastRequest.path).toBe('/v1/messages');
    expect(anthropicUpstream.lastRequest.body).toMatchObject({
      model: 'claude-3-5-haiku-20241022',
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
  });

  it('streams a recorded Anthropic text stream through responses.stream', async () => {
    anthropicUpstream.setHandler(() => anthropicStream('anthropic-text.chunks.txt'));
    const final = await client.responses.stream({ model: 'claude-haiku', input: 'Hello' }).finalResponse();
    expect(final.output_text).toBe('Hello! How can I help you today?');
    expect(final.usage?.input_tokens).toBeGreaterThan(0);
  });

  it('streams recorded Anthropic tool calls as function_call items, and takes their outputs back via previous_response_id', async () => {
    anthropicUpstream.setHandler(() => anthropicStream('anthropic-tool-call.chunks.txt'));
    const final = await client.responses.stream({ model: 'claude-haiku', input: 'Weather and time in San Francisco?', tools: [weatherTool], store: true }).finalResponse();
    const calls = final.output.flatMap((item) => (item.type === 'function_call' ? [item] : []));
    expect(calls.map((call) => call.name)).toEqual(['get_weather', 'get_time']);
    expect(calls.every((call) => call.call_id.startsWith('toolu_'))).toBe(true);
    expect(final.output_text).toBe("Okay, let's check the weather for San Francisco, CA:");
    expect(JSON.parse(calls[0]!.arguments)).toMatchObject({ location: 'San Francisco, CA' });

    anthropicUpstream.setHandler(() => anthropicJson('anthropic-text.json'));
    const next = await client.responses.create({
      model: 'claude-haiku',
      previous_response_id: final.id,
      tools: [weatherTool],
      input: calls.map((call) => ({ type: 'function_call_output' as const, call_id: call.call_id, output: `result of ${call.name}` })),
    });
    expect(next.output_text).toBe('Hello! How can I help you today?');
    const sent = anthropicUpstream.lastRequest.body.messages;
    expect(sent[0]).toEqual({ role: 'user', content: [{ type: 'text', text: 'Weather and time in San Francisco?' }] });
    expect(sent[1].role).toBe('assistant');
    expect(sent[1].content.filter((block: { type: string }) => block.type === 'tool_use').map((block: { id: string }) => block.id)).toEqual(calls.map((call) => call.call_id));
    expect(sent[2].role).toBe('user');
    expect(sent[2].content.map((block: { type: string; tool_use_id: string }) => [block.type, block.tool_use_id])).toEqual(calls.map((call) => ['tool_result', call.call_id]));
  });
});

describe('a learned route', () => {
  it('sends a hard prompt to the strong model, and echoes the route name as the model', async () => {
    const { data, response } = await client.responses.create({ model: 'auto', input: hardPrompt }).withResponse();
    expect(response.headers.get('x-switchboard-model')).toBe('gpt-4o');
    expect(data.model).toBe('auto');
    expect(openaiUpstream.lastRequest.body.model).toBe('gpt-4o');
  });

  it('streams from the model it chose', async () => {
    const final = await client.responses.stream({ model: 'auto', input: easyPrompt }).finalResponse();
    expect(final.output_text).toBe('Hello from upstream');
    expect(openaiUpstream.lastRequest.body.model).toBe('gpt-4o-mini');
  });
});

describe('stored responses', () => {
  it('continues a stored response with previous_response_id, sending the earlier turn upstream', async () => {
    openaiUpstream.setHandler(() => openAICompletion({ content: 'Nice to meet you, Ada.' }));
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'My name is Ada.', store: true });
    expect(first).toMatchObject({ store: true });
    openaiUpstream.setHandler(() => openAICompletion({ content: 'Your name is Ada.' }));
    const second = await client.responses.create({ model: 'gpt-4o-mini', input: 'What is my name?', previous_response_id: first.id, store: true });
    expect(second.previous_response_id).toBe(first.id);
    expect(openaiUpstream.lastRequest.body.messages).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
    ]);
    const retrieved = await client.responses.retrieve(second.id);
    expect(retrieved.output_text).toBe('Your name is Ada.');
    expect(retrieved.id).toBe(second.id);
  });

  it('keeps a streamed response too', async () => {
    const final = await client.responses.stream({ model: 'gpt-4o-mini', input: 'Say hello', store: true }).finalResponse();
    const retrieved = await client.responses.retrieve(final.id);
    expect(retrieved.output_text).toBe('Hello from upstream');
    expect(retrieved.status).toBe('completed');
  });

  it('is stateless by default: an unstored response cannot be continued or fetched', async () => {
    const unstored = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hello' });
    expect(unstored).toMatchObject({ store: false });
    const continued = await apiError(client.responses.create({ model: 'gpt-4o-mini', input: 'Again', previous_response_id: unstored.id }));
    expect(continued.status).toBe(400);
    expect(continued.code).toBe('previous_response_not_found');
    expect(continued.param).toBe('previous_response_id');
    expect((await apiError(client.responses.retrieve(unstored.id))).status).toBe(404);
  });

  it('shows a key only its own stored responses', async () => {
    const alice = clientFor(harness.url, (await createKey(harness.url, { name: 'alice' })).key);
    const bob = clientFor(harness.url, (await createKey(harness.url, { name: 'bob' })).key);
    const mine = await alice.responses.create({ model: 'gpt-4o-mini', input: 'Secret', store: true });
    expect((await alice.responses.retrieve(mine.id)).id).toBe(mine.id);
    expect((await apiError(bob.responses.retrieve(mine.id))).status).toBe(404);
    expect((await apiError(bob.responses.create({ model: 'gpt-4o-mini', input: 'Go on', previous_response_id: mine.id }))).code).toBe('previous_response_not_found');
  });

  it('resolves item references to a stored answer, as the Vercel AI SDK sends earlier turns', async () => {
    openaiUpstream.setHandler(() => openAICompletion({ content: 'Nice to meet you, Ada.' }));
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'My name is Ada.', store: true });
    openaiUpstream.setHandler(() => openAICompletion({ content: 'Ada.' }));
    await client.responses.create({
      model: 'gpt-4o-mini',
      input: [{ role: 'user', content: 'My name is Ada.' }, { type: 'item_reference', id: first.output[0]!.id! }, { role: 'user', content: 'My name?' }],
    });
    expect(openaiUpstream.lastRequest.body.messages).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'My name?' },
    ]);
  });

  it('refuses a reference to an answer that was not stored, saying how to send it instead', async () => {
    const unstored = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hello' });
    const error = await apiError(client.responses.create({ model: 'gpt-4o-mini', input: [{ type: 'item_reference', id: unstored.output[0]!.id! }, { role: 'user', content: 'And?' }] }));
    expect(error).toMatchObject({ status: 400, code: 'item_not_found', param: 'input[0].id' });
    expect(error.message).toMatch(/store: true/);
  });

  it('forgets a deleted response', async () => {
    const stored = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hello', store: true });
    await client.responses.delete(stored.id);
    expect((await apiError(client.responses.retrieve(stored.id))).status).toBe(404);
  });
});
