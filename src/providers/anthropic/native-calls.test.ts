/**
 * The provider's same-protocol calls against a fake Anthropic server replaying recorded shapes:
 * what is sent (the client's body with the deployment's model, key, version and beta flags), and
 * what comes back (the native answer, its OpenAI view, and failures before the first event).
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamHttpError, UpstreamMalformedResponseError } from '../../errors/index.js';
import type { ChatCompletionChunk } from '../../protocol/chat-types.js';
import { FakeUpstream, type FakeReply } from '../../testing/fake-upstream.js';
import { AnthropicProvider } from './anthropic-provider.js';

const UPSTREAM_MODEL = 'claude-sonnet-4-5-20250929';
const TIMEOUTS = { connectMs: 1000, firstTokenMs: 1000, totalMs: 3000 };

function fixtureText(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}
const recordedStream = (name: string): FakeReply => ({ raw: fixtureText(name), headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
const frames = (name: string) => fixtureText(name).split('\n\n').filter((frame) => frame.trim() !== '');

let upstream: FakeUpstream;
let provider: AnthropicProvider;

beforeAll(async () => {
  upstream = await FakeUpstream.start(() => ({ json: JSON.parse(fixtureText('anthropic-thinking.json')) }));
  provider = new AnthropicProvider({
    id: 'sonnet#0',
    provider: 'anthropic',
    model: UPSTREAM_MODEL,
    baseUrl: upstream.url,
    apiKey: 'sk-ant-deployment',
    headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' },
  });
});
afterAll(() => upstream.close());
afterEach(() => upstream.setHandler(() => ({ json: JSON.parse(fixtureText('anthropic-thinking.json')) })));

const clientBody = {
  model: 'sonnet',
  max_tokens: 2048,
  thinking: { type: 'enabled', budget_tokens: 1024 },
  system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
  messages: [{ role: 'user', content: 'What is 27 × 453?' }],
  some_future_field: { kept: true },
};

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}

describe('AnthropicProvider.createMessage', () => {
  it('sends the client body unchanged but for the model, with the deployment key and both beta lists', async () => {
    await provider.createMessage(clientBody, { timeouts: TIMEOUTS, beta: 'interleaved-thinking-2025-05-14, prompt-caching-2024-07-31' });
    const request = upstream.lastRequest;
    expect(request.path).toBe('/v1/messages');
    expect(request.body).toEqual({ ...clientBody, model: UPSTREAM_MODEL });
    expect(request.headers['x-api-key']).toBe('sk-ant-deployment');
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31,interleaved-thinking-2025-05-14');
  });

  it('returns the message as Anthropic sent it and its OpenAI view for pricing', async () => {
    const { message, completion } = await provider.createMessage(clientBody, { timeouts: TIMEOUTS });
    expect(message).toEqual(JSON.parse(fixtureText('anthropic-thinking.json')));
    expect(completion.choices[0]!.message.content).toBe('27 × 453 = **12,231**');
    expect(completion.usage).toMatchObject({ prompt_tokens: 46, completion_tokens: 92 });
  });

  it('takes unsigned thinking blocks (a non-Anthropic model wrote them) out of the history, and only those', async () => {
    const signed = { type: 'thinking', thinking: 'Signed.', signature: 'EqQBCkgI' };
    const messages = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'From gpt-oss.', signature: '' }, { type: 'text', text: 'Hello.' }] },
      { role: 'user', content: 'Again' },
      { role: 'assistant', content: [signed, { type: 'text', text: 'Hello again.' }] },
      { role: 'user', content: 'Bye' },
    ];
    await provider.createMessage({ ...clientBody, messages }, { timeouts: TIMEOUTS });
    expect(upstream.lastRequest.body.messages).toEqual([messages[0], { role: 'assistant', content: [{ type: 'text', text: 'Hello.' }] }, messages[2], messages[3], messages[4]]);
  });

  it('maps an Anthropic error response to the gateway error with its status and retry-after', async () => {
    upstream.setHandler(() => ({ status: 529, json: JSON.parse(fixtureText('anthropic-overloaded-error.json')), headers: { 'retry-after': '3' } }));
    const failure = await provider.createMessage(clientBody, { timeouts: TIMEOUTS }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamHttpError);
    expect(failure).toMatchObject({ upstreamStatus: 529, isRetryable: true, retryAfterMs: 3000 });
  });
});

describe('AnthropicProvider.streamMessage', () => {
  it('asks for a stream and relays every upstream event, thinking and signature included, in order', async () => {
    upstream.setHandler(() => recordedStream('anthropic-thinking.chunks.txt'));
    const stream = await provider.streamMessage({ ...clientBody, stream: false }, { timeouts: TIMEOUTS });
    expect(upstream.lastRequest.body.stream).toBe(true);
    const events = await collect(stream.events());
    expect(events.map((event) => `event: ${event.event}\ndata: ${event.data}`)).toEqual(frames('anthropic-thinking.chunks.txt'));
  });

  it('offers the same events as OpenAI chunks with reasoning, signature and usage', async () => {
    upstream.setHandler(() => recordedStream('anthropic-claude-code-turn.chunks.txt'));
    const stream = await provider.streamMessage(clientBody, { timeouts: TIMEOUTS });
    const chunks: ChatCompletionChunk[] = await collect(stream.chunks());
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
    expect(deltas.map((delta) => delta.reasoning_content ?? '').join('')).toBe(
      'The user wants to know why the tests fail. I should look at the test files and the package manifest first.',
    );
    expect(deltas.flatMap((delta) => (delta.thinking_blocks as unknown[]) ?? [])).toEqual([{ type: 'thinking', thinking: '', signature: expect.stringMatching(/^ErcCCkYI/) }]);
    expect(deltas.flatMap((delta) => delta.tool_calls ?? []).filter((call) => call.id).map((call) => call.function?.name)).toEqual(['Glob', 'Read']);
    expect(chunks.at(-1)!.usage).toEqual({
      prompt_tokens: 3 + 1722 + 14683,
      completion_tokens: 168,
      total_tokens: 3 + 1722 + 14683 + 168,
      prompt_tokens_details: { cached_tokens: 14683, cache_creation_tokens: 1722 },
    });
  });

  it('rejects before any event is handed on when the first event is an error, so the call can fail over', async () => {
    upstream.setHandler(() => ({ sse: ['event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'] }));
    const failure = await provider.streamMessage(clientBody, { timeouts: TIMEOUTS }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamHttpError);
    expect(failure).toMatchObject({ upstreamStatus: 529, isRetryable: true });
  });

  it('rejects on an error status before the stream starts', async () => {
    upstream.setHandler(() => ({ status: 429, json: JSON.parse(fixtureText('anthropic-rate-limit-error.json')), headers: { 'retry-after': '7' } }));
    const failure = await provider.streamMessage(clientBody, { timeouts: TIMEOUTS }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 429, retryAfterMs: 7000 });
  });

  it('throws the mapped error for an error event after the first bytes', async () => {
    upstream.setHandler(() => recordedStream('anthropic-overloaded.chunks.txt'));
    const stream = await provider.streamMessage(clientBody, { timeouts: TIMEOUTS });
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const event of stream.events()) seen.push(event.event!);
    })().catch((error: unknown) => error);
    expect(seen).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    expect(failure).toMatchObject({ upstreamStatus: 529, message: expect.stringContaining('Overloaded') });
  });

  it('reports a stream that ends before message_stop as malformed', async () => {
    upstream.setHandler(() => ({ sse: frames('anthropic-thinking.chunks.txt').slice(0, 5) }));
    const stream = await provider.streamMessage(clientBody, { timeouts: TIMEOUTS });
    await expect(collect(stream.events())).rejects.toBeInstanceOf(UpstreamMalformedResponseError);
  });

  it('is read once', async () => {
    upstream.setHandler(() => recordedStream('anthropic-text.chunks.txt'));
    const stream = await provider.streamMessage(clientBody, { timeouts: TIMEOUTS });
    await collect(stream.events());
    expect(() => stream.chunks()).toThrow(/read once/);
  });
});
