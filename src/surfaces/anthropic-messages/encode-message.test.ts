import { describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChoice } from '../../protocol/chat-types.js';
import { sdkReplaying } from '../../testing/anthropic-sdk-replay.js';
import { encodeMessage } from './encode-message.js';

function completion(message: Partial<ChatCompletionChoice['message']>, finishReason: ChatCompletionChoice['finish_reason'], extra: Partial<ChatCompletion> = {}): ChatCompletion {
  return {
    id: 'chatcmpl-Bx1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content: null, ...message }, finish_reason: finishReason }],
    usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
    ...extra,
  };
}

describe('encodeMessage', () => {
  it('answers a text completion as a message under the name the client sent', () => {
    expect(encodeMessage(completion({ content: 'Hello!' }, 'stop'), { model: 'claude-haiku' })).toEqual({
      id: expect.stringMatching(/^msg_[0-9a-f]{32}$/),
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku',
      content: [{ type: 'text', text: 'Hello!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 120, output_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('turns tool calls into tool_use blocks with parsed input and stop_reason tool_use', () => {
    const message = encodeMessage(
      completion(
        {
          content: 'Checking.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } },
            { id: 'call_3', type: 'function', function: { name: 'broken', arguments: '{"city": "Par' } },
          ],
        },
        'tool_calls',
      ),
      { model: 'claude-haiku' },
    );
    expect(message.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
      { type: 'tool_use', id: 'call_3', name: 'broken', input: {} },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('puts reasoning text first as a thinking block, and prefers signed thinking_blocks when present', () => {
    expect(encodeMessage(completion({ content: '4', reasoning_content: '2 + 2 = 4' }, 'stop'), { model: 'm' }).content).toEqual([
      { type: 'thinking', thinking: '2 + 2 = 4', signature: '' },
      { type: 'text', text: '4' },
    ]);
    const signed = [
      { type: 'thinking', thinking: '2 + 2 = 4', signature: 'EqQBCkgI' },
      { type: 'redacted_thinking', data: 'EmwKAhgB' },
    ];
    expect(encodeMessage(completion({ content: '4', reasoning_content: '2 + 2 = 4', thinking_blocks: signed }, 'stop'), { model: 'm' }).content).toEqual([
      ...signed,
      { type: 'text', text: '4' },
    ]);
  });

  it('maps length to max_tokens and a refusal to a refusal text', () => {
    expect(encodeMessage(completion({ content: 'Once upon a' }, 'length'), { model: 'm' }).stop_reason).toBe('max_tokens');
    const refused = encodeMessage(completion({ refusal: 'I cannot help with that.' }, 'stop'), { model: 'm' });
    expect(refused.content).toEqual([{ type: 'text', text: 'I cannot help with that.' }]);
    expect(refused.stop_reason).toBe('refusal');
  });

  it('reports cache reads and writes apart from the uncached input', () => {
    const usage = { prompt_tokens: 2009, completion_tokens: 25, total_tokens: 2034, prompt_tokens_details: { cached_tokens: 1800, cache_creation_tokens: 188 } };
    expect(encodeMessage(completion({ content: 'ok' }, 'stop', { usage }), { model: 'm' }).usage).toEqual({
      input_tokens: 21,
      output_tokens: 25,
      cache_read_input_tokens: 1800,
      cache_creation_input_tokens: 188,
    });
  });

  it('keeps an Anthropic message id and uses the fallback usage when the completion has none', () => {
    const encoded = encodeMessage(completion({ content: 'ok' }, 'stop', { id: 'msg_01XFDUDYJgAACzvnptvVoYEL', usage: undefined }), {
      model: 'm',
      fallbackUsage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
    });
    expect(encoded.id).toBe('msg_01XFDUDYJgAACzvnptvVoYEL');
    expect(encoded.usage).toEqual({ input_tokens: 9, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it('is a message the Anthropic SDK returns from messages.create', async () => {
    const encoded = encodeMessage(completion({ content: 'Hi', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, 'tool_calls'), { model: 'claude-haiku' });
    const message = await sdkReplaying(JSON.stringify(encoded), 'application/json').messages.create({ model: 'claude-haiku', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message).toEqual(encoded);
  });
});
