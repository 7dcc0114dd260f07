/**
 * Context limits through real HTTP with the official client: reject, trim (tool calls and their
 * results stay together), and summarize (billed to the caller's key, and not bought again while
 * the conversation grows).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeUpstream, type FakeRequest } from '../testing/fake-upstream.js';
import { ADMIN_KEY, adminRequest, clientFor, createKey } from '../testing/governance-test-helpers.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

let upstream: FakeUpstream;
let harness: TestGateway;

const isSummaryCall = (request: FakeRequest) => String(request.body.messages?.[0]?.content ?? '').startsWith('Summarise the earlier part');
const answerCalls = () => upstream.requests.filter((request) => !isSummaryCall(request));
const summaryCalls = () => upstream.requests.filter(isSummaryCall);
/** About 260 tokens of filler (`repeat` 28), or about 120 (`repeat` 12). */
const long = (topic: string, repeat = 28) => `${topic}: ${'the quick brown fox jumps over the lazy dog '.repeat(repeat)}`;

beforeAll(async () => {
  upstream = await FakeUpstream.start((request) =>
    isSummaryCall(request) ? openAICompletion({ content: 'The user is planning a trip to Lisbon.', promptTokens: 600, completionTokens: 10 }) : openAICompletion({ content: 'Sure.', promptTokens: 100, completionTokens: 2 }),
  );
  const model = (name: string, context: Record<string, unknown>) => ({ name, provider: 'openai', model: 'gpt-4o', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', price: { input: 2.5, output: 10 }, context });
  harness = await startTestGateway({
    admin_key: ADMIN_KEY,
    models: [
      model('strict', { max_input_tokens: 300, policy: 'reject' }),
      model('trimmed', { max_input_tokens: 150, policy: 'trim', keep_last_turns: 1 }),
      model('summarized', { max_input_tokens: 700, policy: 'summarize', keep_last_turns: 1, summarize_model: 'summarizer' }),
      { name: 'small-window', provider: 'openai', model: 'gpt-4o-mini', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', context_window: 200, context_window_fallback: 'mid-window' },
      { name: 'mid-window', provider: 'openai', model: 'gpt-4o-mid', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', context_window: 400, context_window_fallback: 'large-window' },
      { name: 'large-window', provider: 'openai', model: 'gpt-4o', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', context_window: 100000 },
      { name: 'tiny-window', provider: 'openai', model: 'gpt-4o-tiny', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', context_window: 10 },
      { name: 'summarizer', provider: 'openai', model: 'gpt-4o-mini', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', price: { input: 0.15, output: 0.6 } },
    ],
  });
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

beforeEach(() => {
  upstream.requests.length = 0;
});

const lastRecords = async (count: number) => {
  await harness.gateway.logWriter.flush();
  return (await adminRequest(harness.url, 'GET', `/api/requests?limit=${count}`)).body.data as Array<Record<string, any>>;
};

describe('context limits', () => {
  it('rejects a request over the limit with context_too_long naming the count', async () => {
    const client = clientFor(harness.url, ADMIN_KEY);
    const error = await client.chat.completions.create({ model: 'strict', messages: [{ role: 'user', content: long('a') + long('b') }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(apiError.code).toBe('context_too_long');
    expect(apiError.message).toMatch(/This request has \d+ input tokens; the limit for 'strict' is 300/);
    expect(upstream.requests).toHaveLength(0);
  });

  it('trims the oldest whole turns, keeping system messages and tool calls with their results', async () => {
    const client = clientFor(harness.url, ADMIN_KEY);
    const toolTurn: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'What is the weather in Lisbon?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Lisbon"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '22°C and sunny' },
      { role: 'assistant', content: 'It is 22°C and sunny.' },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'You are a travel agent.' },
      { role: 'user', content: long('first question') },
      { role: 'assistant', content: 'Noted.' },
      ...toolTurn,
      { role: 'user', content: 'Book it.' },
    ];
    const { response } = await client.chat.completions
      .create({ model: 'trimmed', messages, tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }] })
      .withResponse();
    expect(response.headers.get('x-switchboard-context')).toBe('trimmed');
    expect(Number(response.headers.get('x-switchboard-context-removed-tokens'))).toBeGreaterThan(200);
    expect(upstream.lastRequest.body.messages).toEqual([{ role: 'system', content: 'You are a travel agent.' }, ...toolTurn, { role: 'user', content: 'Book it.' }]);

    // Tighter: the tool turn must go too, and its call and result go together.
    const tighter = [{ role: 'system' as const, content: 'You are a travel agent.' }, ...toolTurn, { role: 'user' as const, content: long('now', 12) }];
    await client.chat.completions.create({ model: 'trimmed', messages: tighter });
    expect(upstream.lastRequest.body.messages).toEqual([{ role: 'system', content: 'You are a travel agent.' }, { role: 'user', content: long('now', 12) }]);
    const [record] = await lastRecords(1);
    expect(record!.context_saved_usd).toBeGreaterThan(0);
  });

  it('summarises the dropped turns, bills the summary to the same key, and reuses it as the conversation grows', async () => {
    const caller = await createKey(harness.url, { name: 'summarised' });
    const client = clientFor(harness.url, caller.key);
    const conversation: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'You are a travel agent.' },
      { role: 'user', content: long('I want to go to Lisbon') },
      { role: 'assistant', content: 'Lovely.' },
      { role: 'user', content: long('In May') },
      { role: 'assistant', content: 'Good month.' },
      { role: 'user', content: long('For a week') },
    ];
    const first = await client.chat.completions.create({ model: 'summarized', messages: conversation }).withResponse();
    expect(first.response.headers.get('x-switchboard-context')).toBe('summarized');
    expect(summaryCalls()).toHaveLength(1);
    expect(summaryCalls()[0]!.body.model).toBe('gpt-4o-mini');
    const sent = answerCalls()[0]!.body.messages;
    expect(sent[0]).toEqual({ role: 'system', content: 'You are a travel agent.' });
    expect(sent[1]).toEqual({ role: 'system', content: 'Summary of the earlier conversation:\nThe user is planning a trip to Lisbon.' });
    expect(sent.at(-1)).toEqual({ role: 'user', content: long('For a week') });

    const answerCost = (100 * 2.5 + 2 * 10) / 1e6;
    const summaryCost = (600 * 0.15 + 10 * 0.6) / 1e6;
    expect(Number(first.response.headers.get('x-switchboard-cost-usd'))).toBeCloseTo(answerCost + summaryCost, 12);
    const [record] = await lastRecords(1);
    expect(record!.cost_usd).toBeCloseTo(answerCost + summaryCost, 12);
    expect(record!.attempts.map((attempt: { model: string }) => attempt.model)).toEqual(['summarizer', 'summarized']);
    const spend = await adminRequest(harness.url, 'GET', '/api/spend?group_by=key');
    expect(spend.body.data.find((row: { group: string }) => row.group === caller.id).cost_usd).toBeCloseTo(answerCost + summaryCost, 12);

    // The next turn: the same summarised prefix, and what follows it still fits — no new summary.
    const next = await client.chat.completions
      .create({ model: 'summarized', messages: [...conversation, { role: 'assistant', content: 'Booked.' }, { role: 'user', content: 'Thanks!' }] })
      .withResponse();
    expect(next.response.headers.get('x-switchboard-context')).toBe('summarized');
    expect(summaryCalls()).toHaveLength(1);
    expect(answerCalls()[1]!.body.messages[1].content).toContain('The user is planning a trip to Lisbon.');
    expect(Number(next.response.headers.get('x-switchboard-cost-usd'))).toBeCloseTo(answerCost, 12);
  });

  it("sends a request longer than the model's context window to the first fallback it fits, before any call", async () => {
    const client = clientFor(harness.url, ADMIN_KEY);
    const fits = await client.chat.completions.create({ model: 'small-window', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(fits.response.headers.get('x-switchboard-context-fallback')).toBeNull();
    expect(upstream.lastRequest.body.model).toBe('gpt-4o-mini');
    // About 520 tokens: past the 200 and 400 windows, so it goes two steps down the chain.
    const moved = await client.chat.completions.create({ model: 'small-window', messages: [{ role: 'user', content: long('a') + long('b') }] }).withResponse();
    expect(moved.response.headers.get('x-switchboard-context-fallback')).toBe('large-window');
    expect(moved.response.headers.get('x-switchboard-model')).toBe('large-window');
    expect(upstream.requests.map((request) => request.body.model)).toEqual(['gpt-4o-mini', 'gpt-4o']);

    const nowhere = await client.chat.completions.create({ model: 'tiny-window', messages: [{ role: 'user', content: long('a') }] }).catch((caught: unknown) => caught);
    expect(nowhere).toMatchObject({ status: 400, code: 'context_too_long' });
    expect((nowhere as Error).message).toMatch(/'tiny-window' accepts 10 and has no context_window_fallback/);
    expect(upstream.requests).toHaveLength(2);
  });
});
