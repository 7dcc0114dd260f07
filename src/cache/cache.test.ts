/**
 * The exact cache end to end: the official `openai` and `@anthropic-ai/sdk` clients → a real
 * gateway on loopback → fake upstreams in each provider's wire format. The upstream's request
 * count says whether an answer came from the cache; the request log says what it cost.
 */
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeUpstream, type FakeReply } from '../testing/fake-upstream.js';
import { ADMIN_KEY, adminRequest, clientFor, createKey } from '../testing/governance-test-helpers.js';
import { openAICompletion, openAIStream } from '../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

const anthropicFixture = (name: string) => readFileSync(new URL(`../providers/anthropic/__fixtures__/${name}`, import.meta.url), 'utf8');

let openaiUpstream: FakeUpstream;
let anthropicUpstream: FakeUpstream;
let harness: TestGateway;
let client: OpenAI;
let run = 0;

/** A question no earlier test asked, so each test starts from an empty cache. */
const fresh = (text = 'What is the capital of France?') => `${text} (#${++run})`;

const records = async () => {
  await harness.gateway.logWriter.flush();
  return (await adminRequest(harness.url, 'GET', '/api/requests?limit=20')).body.data as Array<Record<string, any>>;
};

beforeAll(async () => {
  openaiUpstream = await FakeUpstream.start((request) =>
    request.body.stream ? openAIStream(['Paris', ' is', ' the capital.'], { promptTokens: 20, completionTokens: 3 }) : openAICompletion({ content: 'Paris is the capital.', promptTokens: 20, completionTokens: 5 }),
  );
  anthropicUpstream = await FakeUpstream.start((request) =>
    request.body.stream
      ? { raw: anthropicFixture('anthropic-thinking.chunks.txt'), headers: { 'content-type': 'text/event-stream; charset=utf-8' } }
      : { json: JSON.parse(anthropicFixture('anthropic-thinking.json')) },
  );
  harness = await startTestGateway({
    admin_key: ADMIN_KEY,
    cache: { enabled: true },
    models: [
      { name: 'gpt-4o-mini', provider: 'openai', base_url: `${openaiUpstream.url}/v1`, api_key: 'sk-upstream', price: { input: 1, output: 2 } },
      // The same upstream under a name whose entries are shared by a team.
      { name: 'team-mini', provider: 'openai', model: 'gpt-4o-mini', base_url: `${openaiUpstream.url}/v1`, api_key: 'sk-upstream', price: { input: 1, output: 2 }, cache: { scope: 'team' } },
      { name: 'sonnet', provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', base_url: anthropicUpstream.url, api_key: 'sk-ant-upstream', price: { input: 3, output: 15 } },
    ],
    retry: { attempts: 1 },
  });
  client = clientFor(harness.url, ADMIN_KEY);
});

afterAll(async () => {
  await harness.close();
  await openaiUpstream.close();
  await anthropicUpstream.close();
});

beforeEach(() => {
  openaiUpstream.requests.length = 0;
  anthropicUpstream.requests.length = 0;
});

async function chat(question: string, options: { stream?: boolean; headers?: Record<string, string>; client?: OpenAI; model?: string } = {}) {
  const caller = options.client ?? client;
  const body = { model: options.model ?? 'gpt-4o-mini', messages: [{ role: 'user' as const, content: question }], temperature: 0 };
  if (options.stream) {
    const { data, response } = await caller.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { headers: options.headers }).withResponse();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of data) chunks.push(chunk);
    return { headers: response.headers, chunks, content: chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('') };
  }
  const { data, response } = await caller.chat.completions.create(body, { headers: options.headers }).withResponse();
  return { headers: response.headers, completion: data, content: data.choices[0]!.message.content };
}

describe('exact cache over chat completions', () => {
  it('runs the cache stage inside guard input (masked requests only) and outside fit context and check output', () => {
    expect(harness.gateway.pipelines.chatStages).toEqual(['output cap', 'admit', 'guard input', 'cache', 'fit context', 'check output', 'route', 'execute']);
  });

  it('answers the same request again from the cache, with the original usage, at cost 0', async () => {
    const question = fresh();
    const first = await chat(question);
    const second = await chat(question);
    expect(first.headers.get('x-switchboard-cache')).toBe('MISS');
    expect(second.headers.get('x-switchboard-cache')).toBe('HIT');
    expect(openaiUpstream.requests).toHaveLength(1);
    expect(second.completion).toEqual(first.completion);
    expect(second.completion!.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 5 });
    expect(Number(second.headers.get('x-switchboard-cost-usd'))).toBe(0);
    const [hit, miss] = await records();
    expect(miss!.cost_usd).toBeCloseTo((20 * 1 + 5 * 2) / 1e6, 12);
    expect(hit).toMatchObject({ cache_status: 'HIT', cost_usd: 0, prompt_tokens: 0, completion_tokens: 0 });
    expect(hit!.cache_saved_usd).toBeCloseTo(miss!.cost_usd, 12);
  });

  it('replays a stored stream chunk by chunk with its original boundaries, and serves it to a JSON request', async () => {
    const question = fresh();
    const first = await chat(question, { stream: true });
    const second = await chat(question, { stream: true });
    expect(first.headers.get('x-switchboard-cache')).toBe('MISS');
    expect(second.headers.get('x-switchboard-cache')).toBe('HIT');
    const deltas = (chunks: OpenAI.ChatCompletionChunk[] = []) => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? null);
    expect(deltas(second.chunks)).toEqual(deltas(first.chunks));
    expect(deltas(second.chunks)).toEqual(['', 'Paris', ' is', ' the capital.', null, null]);
    expect(second.chunks!.at(-1)!.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 3 });

    const whole = await chat(question);
    expect(whole.headers.get('x-switchboard-cache')).toBe('HIT');
    expect(whole.content).toBe('Paris is the capital.');
    expect(whole.completion!.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 3 });
    expect(openaiUpstream.requests).toHaveLength(1);
    const [json, stream] = await records();
    expect(stream).toMatchObject({ cache_status: 'HIT', cost_usd: 0 });
    expect(json).toMatchObject({ cache_status: 'HIT', cost_usd: 0 });
  });

  it('serves a stored JSON answer to a stream request', async () => {
    const question = fresh();
    await chat(question);
    const streamed = await chat(question, { stream: true });
    expect(streamed.headers.get('x-switchboard-cache')).toBe('HIT');
    expect(streamed.content).toBe('Paris is the capital.');
    expect(openaiUpstream.requests).toHaveLength(1);
  });

  it('keys on every field that can change the answer, and ignores user and stream options', async () => {
    const question = fresh();
    await chat(question);
    const otherTemperature = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }], temperature: 0.7 }).withResponse();
    expect(otherTemperature.response.headers.get('x-switchboard-cache')).toBe('MISS');
    const otherUser = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }], temperature: 0, user: 'someone-else' }).withResponse();
    expect(otherUser.response.headers.get('x-switchboard-cache')).toBe('HIT');
    expect(openaiUpstream.requests).toHaveLength(2);
  });

  it('never stores a stream that was cut off', async () => {
    const question = fresh();
    openaiUpstream.setHandler(() => openAIStream(['Paris', ' is', ' the capital.'], { resetAfter: 3 }));
    try {
      await expect(chat(question, { stream: true })).rejects.toThrow();
    } finally {
      openaiUpstream.setHandler((request) => (request.body.stream ? openAIStream(['Paris', ' is', ' the capital.'], { promptTokens: 20, completionTokens: 3 }) : openAICompletion({ content: 'Paris is the capital.', promptTokens: 20, completionTokens: 5 })));
    }
    const again = await chat(question, { stream: true });
    expect(again.headers.get('x-switchboard-cache')).toBe('MISS');
    expect(again.content).toBe('Paris is the capital.');
    expect(openaiUpstream.requests).toHaveLength(2);
  });
});

describe('per-request cache control', () => {
  it('no-cache skips the lookup but stores the answer', async () => {
    const question = fresh();
    await chat(question);
    const skipped = await chat(question, { headers: { 'cache-control': 'no-cache' } });
    expect(skipped.headers.get('x-switchboard-cache')).toBe('BYPASS');
    expect(openaiUpstream.requests).toHaveLength(2);
    expect((await chat(question)).headers.get('x-switchboard-cache')).toBe('HIT');
  });

  it('no-store neither looks up nor stores', async () => {
    const question = fresh();
    expect((await chat(question, { headers: { 'cache-control': 'no-store' } })).headers.get('x-switchboard-cache')).toBe('BYPASS');
    expect((await chat(question)).headers.get('x-switchboard-cache')).toBe('MISS');
    expect((await chat(question, { headers: { 'cache-control': 'no-store' } })).headers.get('x-switchboard-cache')).toBe('BYPASS');
    expect(openaiUpstream.requests).toHaveLength(3);
  });

  it('max-age accepts only entries younger than it', async () => {
    const question = fresh();
    await chat(question);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await chat(question, { headers: { 'cache-control': 'max-age=60' } })).headers.get('x-switchboard-cache')).toBe('HIT');
    expect((await chat(question, { headers: { 'cache-control': 'max-age=1' } })).headers.get('x-switchboard-cache')).toBe('MISS');
    expect(openaiUpstream.requests).toHaveLength(2);
  });

  it('x-switchboard-cache overrides the mode: off, read_only, write_only', async () => {
    const question = fresh();
    expect((await chat(question, { headers: { 'x-switchboard-cache': 'read_only' } })).headers.get('x-switchboard-cache')).toBe('MISS');
    expect((await chat(question, { headers: { 'x-switchboard-cache': 'write_only' } })).headers.get('x-switchboard-cache')).toBe('BYPASS');
    expect((await chat(question, { headers: { 'x-switchboard-cache': 'off' } })).headers.get('x-switchboard-cache')).toBe('BYPASS');
    expect((await chat(question, { headers: { 'x-switchboard-cache': 'read_only' } })).headers.get('x-switchboard-cache')).toBe('HIT');
    expect(openaiUpstream.requests).toHaveLength(3);
  });
});

describe('tenants', () => {
  it('never shares entries between two keys of one team with scope key, and shares them with scope team', async () => {
    const first = await createKey(harness.url, { name: 'analyst-1', team: 'research' });
    const second = await createKey(harness.url, { name: 'analyst-2', team: 'research' });
    const outsider = await createKey(harness.url, { name: 'sales-1', team: 'sales' });
    const question = fresh();
    await chat(question, { client: clientFor(harness.url, first.key) });
    expect((await chat(question, { client: clientFor(harness.url, second.key) })).headers.get('x-switchboard-cache')).toBe('MISS');
    expect((await chat(question, { client: clientFor(harness.url, first.key) })).headers.get('x-switchboard-cache')).toBe('HIT');

    await chat(question, { client: clientFor(harness.url, first.key), model: 'team-mini' });
    expect((await chat(question, { client: clientFor(harness.url, second.key), model: 'team-mini' })).headers.get('x-switchboard-cache')).toBe('HIT');
    expect((await chat(question, { client: clientFor(harness.url, outsider.key), model: 'team-mini' })).headers.get('x-switchboard-cache')).toBe('MISS');
  });

  it("follows a key's own override: a key may turn the cache off for itself", async () => {
    const uncached = await createKey(harness.url, { name: 'no-cache', cache: { enabled: false } });
    const keyClient = clientFor(harness.url, uncached.key);
    const question = fresh();
    expect((await chat(question, { client: keyClient })).headers.get('x-switchboard-cache')).toBe('BYPASS');
    expect((await chat(question, { client: keyClient })).headers.get('x-switchboard-cache')).toBe('BYPASS');
    expect(openaiUpstream.requests).toHaveLength(2);
  });

  it('DELETE /api/cache clears one key, one model, or everything', async () => {
    const caller = await createKey(harness.url, { name: 'clearing' });
    const keyClient = clientFor(harness.url, caller.key);
    const question = fresh();
    await chat(question, { client: keyClient });
    await chat(question);
    const cleared = await adminRequest(harness.url, 'DELETE', `/api/cache?key=${caller.id}`);
    expect(cleared.body).toMatchObject({ object: 'cache.cleared', deleted: 1 });
    expect((await chat(question, { client: keyClient })).headers.get('x-switchboard-cache')).toBe('MISS');
    expect((await chat(question)).headers.get('x-switchboard-cache')).toBe('HIT');
    const byModel = await adminRequest(harness.url, 'DELETE', '/api/cache?model=gpt-4o-mini');
    expect(byModel.body.deleted).toBeGreaterThanOrEqual(2);
    expect((await chat(question)).headers.get('x-switchboard-cache')).toBe('MISS');
    expect((await adminRequest(harness.url, 'DELETE', '/api/cache?scope=team')).status).toBe(400);
  });
});

describe('the same cache behind /v1/messages and /v1/responses', () => {
  const anthropic = () => new Anthropic({ baseURL: harness.url, apiKey: ADMIN_KEY, maxRetries: 0 });

  it('serves a native Anthropic answer again with its thinking block and signature, JSON and stream', async () => {
    const question = fresh('What is 27 × 453?');
    const body = { model: 'sonnet', max_tokens: 2048, messages: [{ role: 'user' as const, content: question }] };
    const first = await anthropic().messages.create(body).withResponse();
    const second = await anthropic().messages.create(body).withResponse();
    expect(second.response.headers.get('x-switchboard-cache')).toBe('HIT');
    expect(second.data).toEqual(first.data);
    expect(second.data.content[0]).toMatchObject({ type: 'thinking', signature: expect.any(String) });

    // A stored stream of native events serves a stream request event by event, and a JSON one whole.
    const streamQuestion = fresh('What is 27 × 453?');
    const streamBody = { ...body, messages: [{ role: 'user' as const, content: streamQuestion }] };
    const firstStream = await anthropic().messages.stream(streamBody).finalMessage();
    const replay = anthropic().messages.stream(streamBody);
    const replayed = await replay.finalMessage();
    expect(replayed).toEqual(firstStream);
    const whole = await anthropic().messages.create(streamBody).withResponse();
    expect(whole.response.headers.get('x-switchboard-cache')).toBe('HIT');
    expect(whole.data.content).toEqual(firstStream.content);
    expect(whole.data.usage.output_tokens).toBe(firstStream.usage.output_tokens);
    expect(anthropicUpstream.requests).toHaveLength(2);
  });

  it('never stores a translated stream that was cut off (/v1/messages to an OpenAI model)', async () => {
    const question = fresh();
    const body = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user' as const, content: question }] };
    openaiUpstream.setHandler(() => openAIStream(['Paris', ' is', ' the capital.'], { resetAfter: 3 }));
    try {
      await expect(anthropic().messages.stream(body).finalMessage()).rejects.toThrow();
    } finally {
      openaiUpstream.setHandler((request) => (request.body.stream ? openAIStream(['Paris', ' is', ' the capital.'], { promptTokens: 20, completionTokens: 3 }) : openAICompletion({ content: 'Paris is the capital.', promptTokens: 20, completionTokens: 5 })));
    }
    const whole = await anthropic().messages.stream(body).finalMessage();
    expect(whole.content).toEqual([expect.objectContaining({ type: 'text', text: 'Paris is the capital.' })]);
    const again = await anthropic().messages.create(body).withResponse();
    expect(again.response.headers.get('x-switchboard-cache')).toBe('HIT');
    expect(again.data.content).toEqual(whole.content);
    expect(openaiUpstream.requests).toHaveLength(2);
  });

  it('serves Responses from the cache, and keeps it apart from chat completions', async () => {
    const question = fresh();
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: question }).withResponse();
    const second = await client.responses.create({ model: 'gpt-4o-mini', input: question }).withResponse();
    expect(first.response.headers.get('x-switchboard-cache')).toBe('MISS');
    expect(second.response.headers.get('x-switchboard-cache')).toBe('HIT');
    expect(second.data.output_text).toBe(first.data.output_text);
    expect(second.data.usage).toEqual(first.data.usage);
    expect((await chat(question)).headers.get('x-switchboard-cache')).toBe('MISS');
    expect(openaiUpstream.requests).toHaveLength(2);
  });
});
