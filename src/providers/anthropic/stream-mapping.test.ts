import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UpstreamHttpError, UpstreamMalformedResponseError } from '../../errors/index.js';
import type { ChatCompletionChunk } from '../../protocol/chat-types.js';
import type { UpstreamResponse } from '../shared/http-client.js';
import { readServerSentEvents } from '../shared/sse-parser.js';
import type { AnthropicStreamEvent } from './anthropic-types.js';
import { AnthropicStreamMapper } from './stream-mapping.js';

const CREATED = 1_760_000_000;
const TIMEOUTS = { connectMs: 1000, firstTokenMs: 1000, totalMs: 5000 };

/** Runs a recorded stream, byte for byte, through the real SSE parser and the mapper. */
async function mapRecordedStream(name: string, jsonMode = false): Promise<ChatCompletionChunk[]> {
  const bytes = readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
  const response = { status: 200, headers: {}, body: Readable.from([bytes]) } as unknown as UpstreamResponse;
  const mapper = new AnthropicStreamMapper({ provider: 'anthropic', created: CREATED, jsonMode });
  const chunks: ChatCompletionChunk[] = [];
  for await (const event of readServerSentEvents(response, { provider: 'anthropic', timeouts: TIMEOUTS })) {
    chunks.push(...mapper.map(JSON.parse(event.data) as AnthropicStreamEvent));
  }
  expect(mapper.finished).toBe(true);
  return chunks;
}

function chunk(id: string, delta: object, finishReason: string | null = null) {
  return { id, object: 'chat.completion.chunk', created: CREATED, model: 'claude-3-5-haiku-20241022', choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

describe('AnthropicStreamMapper', () => {
  it('turns a text stream into role, content, finish and usage chunks', async () => {
    const id = 'msg_01QC4g3HwBThD4BaNtBckFDJ';
    expect(await mapRecordedStream('anthropic-text.chunks.txt')).toEqual([
      chunk(id, { role: 'assistant', content: '' }),
      chunk(id, { content: 'Hello' }),
      chunk(id, { content: '! How can' }),
      chunk(id, { content: ' I help you today?' }),
      chunk(id, {}, 'stop'),
      {
        id, object: 'chat.completion.chunk', created: CREATED, model: 'claude-3-5-haiku-20241022', choices: [],
        usage: { prompt_tokens: 12, completion_tokens: 12, total_tokens: 24, prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 } },
      },
    ]);
  });

  it('streams tool calls as deltas with index, id and name first, then argument fragments', async () => {
    const id = 'msg_014p7gG3wDgGV9EUtLvnow3U';
    const chunks = await mapRecordedStream('anthropic-tool-call.chunks.txt');
    expect(chunks).toEqual([
      chunk(id, { role: 'assistant', content: '' }),
      chunk(id, { content: 'Okay' }),
      chunk(id, { content: ', let' }),
      chunk(id, { content: "'s check the weather for San Francisco, CA:" }),
      chunk(id, { tool_calls: [{ index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk(id, { tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
      chunk(id, { tool_calls: [{ index: 0, function: { arguments: ' "San Fra' } }] }),
      chunk(id, { tool_calls: [{ index: 0, function: { arguments: 'ncisco, CA"' } }] }),
      chunk(id, { tool_calls: [{ index: 0, function: { arguments: ', "unit": "fah' } }] }),
      chunk(id, { tool_calls: [{ index: 0, function: { arguments: 'renheit"}' } }] }),
      chunk(id, { tool_calls: [{ index: 1, id: 'toolu_01SbXhTz1h6bYwL2Fm4W9Qyr', type: 'function', function: { name: 'get_time', arguments: '' } }] }),
      chunk(id, { tool_calls: [{ index: 1, function: { arguments: '{"timezone": "America/Los_Angeles"}' } }] }),
      chunk(id, {}, 'tool_calls'),
      {
        id, object: 'chat.completion.chunk', created: CREATED, model: 'claude-3-5-haiku-20241022', choices: [],
        usage: { prompt_tokens: 472 + 2048, completion_tokens: 89, total_tokens: 472 + 2048 + 89, prompt_tokens_details: { cached_tokens: 2048, cache_creation_tokens: 0 } },
      },
    ]);
  });

  it('relays the forced JSON tool’s input as content in JSON mode', async () => {
    const chunks = await mapRecordedStream('anthropic-json-tool.chunks.txt', true);
    const content = chunks.map((item) => item.choices[0]?.delta.content ?? '').join('');
    expect(JSON.parse(content)).toEqual({ city: 'Paris', population: 2102650 });
    expect(chunks.some((item) => item.choices[0]?.delta.tool_calls)).toBe(false);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('throws a retryable 502 when the stream carries an overloaded_error event', async () => {
    const failure = mapRecordedStream('anthropic-overloaded.chunks.txt').catch((error: unknown) => error);
    const error = (await failure) as UpstreamHttpError;
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect(error).toMatchObject({ status: 502, upstreamStatus: 529, isRetryable: true });
    expect(error.message).toContain('Overloaded');
  });

  it('maps a mid-stream invalid_request_error to a 400 that is not retried', () => {
    const mapper = new AnthropicStreamMapper({ provider: 'anthropic', created: CREATED, jsonMode: false });
    expect(() => mapper.map({ type: 'error', error: { type: 'invalid_request_error', message: 'bad' } })).toThrow(
      expect.objectContaining({ status: 400, isRetryable: false, message: 'bad' }),
    );
  });

  it('refuses content that arrives before message_start', () => {
    const mapper = new AnthropicStreamMapper({ provider: 'anthropic', created: CREATED, jsonMode: false });
    expect(() => mapper.map({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x' } })).toThrow(UpstreamMalformedResponseError);
  });

  it('skips ping and event types it does not know', () => {
    const mapper = new AnthropicStreamMapper({ provider: 'anthropic', created: CREATED, jsonMode: false });
    mapper.map({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, usage: {} } });
    expect(mapper.map({ type: 'ping' })).toEqual([]);
    expect(mapper.map({ type: 'content_block_delta', index: 0, delta: { type: 'future_delta', value: 1 } })).toEqual([]);
    expect(mapper.map({ type: 'future_event' } as never)).toEqual([]);
  });

  it('carries thinking as reasoning_content and its signature and redacted data as thinking_blocks', () => {
    const mapper = new AnthropicStreamMapper({ provider: 'anthropic', created: CREATED, jsonMode: false });
    mapper.map({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, usage: {} } });
    const deltas = [
      ...mapper.map({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
      ...mapper.map({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'hmm' } }),
      ...mapper.map({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM' } }),
      ...mapper.map({ type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: 'EmwKAhgBEgy3' } }),
    ].map((chunk) => chunk.choices[0]!.delta);
    expect(deltas).toEqual([
      { reasoning_content: 'hmm' },
      { thinking_blocks: [{ type: 'thinking', thinking: '', signature: 'EqQBCgIYAhIM' }] },
      { thinking_blocks: [{ type: 'redacted_thinking', data: 'EmwKAhgBEgy3' }] },
    ]);
  });
});
