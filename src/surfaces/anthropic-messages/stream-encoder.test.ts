/**
 * The encoder's frames are read by `@anthropic-ai/sdk`'s own SSE parser and `MessageStream`
 * accumulator (through a client whose fetch replays them), so "right" means what the official
 * client and Claude Code would see.
 */
import { APIError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { UpstreamHttpError } from '../../errors/index.js';
import type { ChatCompletionChunk, ChatCompletionChunkChoice, Usage } from '../../protocol/chat-types.js';
import { parseFrames, sdkReplaying } from '../../testing/anthropic-sdk-replay.js';
import { decodeMessagesRequest } from './decode-request.js';
import { MessagesStreamEncoder } from './stream-encoder.js';

const MODEL = 'claude-sonnet-4-5';

function chunk(delta: ChatCompletionChunkChoice['delta'], finishReason: ChatCompletionChunkChoice['finish_reason'] = null): ChatCompletionChunk {
  return { id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finishReason }] };
}
function usageChunk(usage: Usage): ChatCompletionChunk {
  return { id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage };
}

/** Runs chunks through a fresh encoder and returns the whole stream text. */
function encodeAll(chunks: ChatCompletionChunk[], inputTokens = 20): string {
  const encoder = new MessagesStreamEncoder({ model: MODEL, inputTokens });
  return chunks.map((item) => encoder.encode(item)).join('') + encoder.finish();
}

async function finalMessageOf(streamText: string) {
  return sdkReplaying(streamText).messages.stream({ model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
}

const weatherCalls = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Let me check both cities.' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_sf', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"San Francisco"}' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'call_ny', type: 'function', function: { name: 'get_weather', arguments: '{"city":"New York"}' } }] }),
  chunk({}, 'tool_calls'),
  usageChunk({ prompt_tokens: 80, completion_tokens: 35, total_tokens: 115 }),
];

describe('MessagesStreamEncoder read by the Anthropic SDK', () => {
  it('streams text into a final message with end_turn and the reported usage', async () => {
    const text = encodeAll([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hello' }),
      chunk({ content: ', world.' }),
      chunk({}, 'stop'),
      usageChunk({ prompt_tokens: 2009, completion_tokens: 5, total_tokens: 2014, prompt_tokens_details: { cached_tokens: 1800 } }),
    ]);
    const message = await finalMessageOf(text);
    expect(message.model).toBe(MODEL);
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toEqual([{ type: 'text', text: 'Hello, world.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 209, output_tokens: 5, cache_read_input_tokens: 1800, cache_creation_input_tokens: 0 });
  });

  it('streams parallel tool calls as separate tool_use blocks with parsed input', async () => {
    const message = await finalMessageOf(encodeAll(weatherCalls));
    expect(message.content).toEqual([
      { type: 'text', text: 'Let me check both cities.' },
      { type: 'tool_use', id: 'call_sf', name: 'get_weather', input: { city: 'San Francisco' } },
      { type: 'tool_use', id: 'call_ny', name: 'get_weather', input: { city: 'New York' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('translates the tool-call turn back into OpenAI tool_calls and tool messages for the next request', async () => {
    const message = await finalMessageOf(encodeAll(weatherCalls));
    const { request } = decodeMessagesRequest({
      model: MODEL,
      max_tokens: 1024,
      messages: [
        { role: 'user', content: 'Weather in SF and NYC?' },
        { role: 'assistant', content: message.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_sf', content: '18°C, fog' },
            { type: 'tool_result', tool_use_id: 'call_ny', content: [{ type: 'text', text: '25°C, sun' }] },
          ],
        },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather in SF and NYC?' },
      {
        role: 'assistant',
        content: 'Let me check both cities.',
        tool_calls: [
          { id: 'call_sf', type: 'function', function: { name: 'get_weather', arguments: '{"city":"San Francisco"}' } },
          { id: 'call_ny', type: 'function', function: { name: 'get_weather', arguments: '{"city":"New York"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_sf', content: '18°C, fog' },
      { role: 'tool', tool_call_id: 'call_ny', content: '25°C, sun' },
    ]);
  });

  it('streams reasoning as a thinking block, with the signature when the chunks carry one', async () => {
    const message = await finalMessageOf(
      encodeAll([
        chunk({ role: 'assistant', content: '' }),
        chunk({ reasoning_content: '27 × 453 = ' }),
        chunk({ reasoning_content: '12231.' }),
        chunk({ thinking_blocks: [{ type: 'thinking', thinking: '', signature: 'EqQBCkgIBxAB' }] }),
        chunk({ content: '12,231' }),
        chunk({}, 'stop'),
      ]),
    );
    expect(message.content).toEqual([
      { type: 'thinking', thinking: '27 × 453 = 12231.', signature: 'EqQBCkgIBxAB' },
      { type: 'text', text: '12,231' },
    ]);
  });

  it('reads `reasoning` (OpenRouter, Ollama) and keeps a redacted thinking block whole', async () => {
    const message = await finalMessageOf(
      encodeAll([
        chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: 'EmwKAhgB' }] }),
        chunk({ reasoning: 'Checking.' }),
        chunk({ content: 'Done.' }, 'stop'),
      ]),
    );
    expect(message.content).toEqual([
      { type: 'redacted_thinking', data: 'EmwKAhgB' },
      { type: 'thinking', thinking: 'Checking.', signature: '' },
      { type: 'text', text: 'Done.' },
    ]);
  });

  it('ends with an error event the SDK raises as an overloaded_error after the text so far', async () => {
    const encoder = new MessagesStreamEncoder({ model: MODEL, inputTokens: 20 });
    const text =
      encoder.encode(chunk({ role: 'assistant', content: 'Once upon' })) +
      encoder.fail(new UpstreamHttpError({ provider: 'anthropic', upstreamStatus: 529, upstreamMessage: 'Overloaded', upstreamType: 'overloaded_error' }));
    expect(encoder.finish()).toBe('');
    let received = '';
    const stream = sdkReplaying(text).messages.stream({ model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: 'Story' }] });
    stream.on('text', (delta) => (received += delta));
    const failure = await stream.finalMessage().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).type).toBe('overloaded_error');
    expect((failure as APIError).message).toContain('Overloaded');
    expect(received).toBe('Once upon');
  });
});

describe('MessagesStreamEncoder event sequence', () => {
  it('sends message_start once, a ping, one block per kind, then message_delta and message_stop', () => {
    const events = parseFrames(encodeAll(weatherCalls));
    expect(events.map((event) => event.event + (event.data.delta?.type ? `:${event.data.delta.type}` : ''))).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta:text_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta:input_json_delta',
      'content_block_delta:input_json_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta:input_json_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events.map((event) => event.data.index).filter((index) => index !== undefined)).toEqual([0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);
    expect(events[0]!.data.message).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
    });
    expect(events.at(-2)!.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 80, output_tokens: 35, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('opens a new block each time thinking, text and tool use alternate, never mixing delta kinds', () => {
    const events = parseFrames(
      encodeAll([
        chunk({ reasoning_content: 'a' }),
        chunk({ content: 'b' }),
        chunk({ reasoning_content: 'c' }),
        chunk({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: '{}' } }] }),
        chunk({ content: 'd' }, 'stop'),
      ]),
    );
    const blockTypes = new Map<number, string>();
    for (const event of events) {
      if (event.event === 'content_block_start') blockTypes.set(event.data.index, event.data.content_block.type);
      if (event.event === 'content_block_delta') {
        const expected = { text_delta: 'text', thinking_delta: 'thinking', signature_delta: 'thinking', input_json_delta: 'tool_use' }[event.data.delta.type as string];
        expect(blockTypes.get(event.data.index)).toBe(expected);
      }
    }
    expect([...blockTypes.values()]).toEqual(['thinking', 'text', 'thinking', 'tool_use', 'text']);
  });

  it('maps finish reasons to stop reasons, and a stop after tool calls to tool_use', () => {
    const stopReasonOf = (chunks: ChatCompletionChunk[]) => parseFrames(encodeAll(chunks)).find((event) => event.event === 'message_delta')!.data.delta.stop_reason;
    expect(stopReasonOf([chunk({ content: 'a' }, 'length')])).toBe('max_tokens');
    expect(stopReasonOf([chunk({ content: 'a' }, 'content_filter')])).toBe('refusal');
    expect(stopReasonOf([chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }] }, 'stop')])).toBe('tool_use');
    expect(stopReasonOf([chunk({ content: 'a' })])).toBe('end_turn');
  });

  it('estimates output tokens from the streamed text when the upstream reports no usage', () => {
    const events = parseFrames(encodeAll([chunk({ content: 'x'.repeat(40) }, 'stop')]));
    expect(events.find((event) => event.event === 'message_delta')!.data.usage).toEqual({ output_tokens: 10 });
  });

  it('still sends a complete message for a stream that produced no chunk', async () => {
    const encoder = new MessagesStreamEncoder({ model: MODEL, inputTokens: 3 });
    const message = await finalMessageOf(encoder.finish());
    expect(message.content).toEqual([]);
    expect(message.stop_reason).toBe('end_turn');
  });
});
