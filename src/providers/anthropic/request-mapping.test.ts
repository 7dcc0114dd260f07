import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../errors/index.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import { buildAnthropicRequest } from './request-mapping.js';

const MODEL = 'claude-3-5-haiku-20241022';
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

function build(request: Partial<ChatCompletionRequest>, stream = false) {
  return buildAnthropicRequest({ model: 'claude-haiku', messages: [{ role: 'user', content: 'Hi' }], ...request }, MODEL, stream);
}

describe('buildAnthropicRequest', () => {
  it('moves system and developer messages into `system` and merges consecutive user turns', () => {
    const body = build({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: 'Bonjour' },
        { role: 'user', content: [{ type: 'text', text: 'Ça va ?' }] },
        { role: 'assistant', content: 'Oui.' },
        { role: 'user', content: 'Merci' },
      ],
    });
    expect(body).toEqual({
      model: MODEL,
      max_tokens: 8192,
      system: [
        { type: 'text', text: 'You are terse.' },
        { type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Bonjour' }, { type: 'text', text: 'Ça va ?' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Oui.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Merci' }] },
      ],
    });
  });

  it('maps sampling fields, clamping temperature to Anthropic’s maximum of 1', () => {
    const body = build({ temperature: 1.6, top_p: 0.9, stop: 'END', user: 'user-42', max_tokens: 300, seed: 7, metadata: { team: 'a' } }, true);
    expect(body).toEqual({
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      max_tokens: 300,
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
      stream: true,
    });
  });

  it('prefers max_completion_tokens, then max_tokens, then the model’s output limit', () => {
    expect(build({ max_completion_tokens: 100, max_tokens: 200 }).max_tokens).toBe(100);
    expect(build({ max_tokens: 200 }).max_tokens).toBe(200);
    expect(build({}).max_tokens).toBe(8192);
    expect(buildAnthropicRequest({ model: 'x', messages: [{ role: 'user', content: 'Hi' }] }, 'claude-sonnet-4-5-20250929', false).max_tokens).toBe(64_000);
    expect(buildAnthropicRequest({ model: 'x', messages: [{ role: 'user', content: 'Hi' }] }, 'claude-future-9', false).max_tokens).toBe(4096);
  });

  it('maps tools, a named tool_choice and parallel_tool_calls: false', () => {
    const body = build({ tools: [weatherTool, { type: 'function', function: { name: 'get_time' } }], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false });
    expect(body).toEqual({
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      max_tokens: 8192,
      tools: [
        { name: 'get_weather', description: 'Current weather for a city', input_schema: weatherTool.function.parameters },
        { name: 'get_time', input_schema: { type: 'object', properties: {} } },
      ],
      tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
    });
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['required', { type: 'any' }],
    ['none', { type: 'none' }],
  ] as const)('maps tool_choice %s', (choice, expected) => {
    expect(build({ tools: [weatherTool], tool_choice: choice }).tool_choice).toEqual(expected);
  });

  it('sends no tool_choice when the client gave none, leaving Anthropic’s default (auto)', () => {
    expect(build({ tools: [weatherTool] })).not.toHaveProperty('tool_choice');
  });

  it('turns assistant tool_calls into tool_use blocks and tool results into tool_result blocks of one user turn', () => {
    const body = build({
      messages: [
        { role: 'user', content: 'Weather and time in Paris?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '{"celsius":21}' },
        { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '14:05' }] },
        { role: 'user', content: 'Thanks, summarise.' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather and time in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '{"celsius":21}' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '14:05' }] },
          { type: 'text', text: 'Thanks, summarise.' },
        ],
      },
    ]);
  });

  it('sends data-URL images as base64 sources and http URLs as url sources', () => {
    const body = build({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
            { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0x' } },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0x' } },
        ],
      },
    ]);
  });

  it('serves json_schema through a forced json_tool_call tool whose input_schema is the schema', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const body = build({ response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } } });
    expect(body).toEqual({
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      max_tokens: 8192,
      tools: [{ name: 'json_tool_call', input_schema: schema }],
      tool_choice: { type: 'tool', name: 'json_tool_call' },
    });
  });

  it('serves json_object through a forced tool that accepts any object', () => {
    const body = build({ response_format: { type: 'json_object' } });
    expect(body.tools).toEqual([{ name: 'json_tool_call', input_schema: { type: 'object', additionalProperties: true, properties: {} } }]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'json_tool_call' });
  });

  it('rejects n > 1, which Anthropic cannot serve', () => {
    expect(() => build({ n: 2 })).toThrow(InvalidRequestError);
  });

  it('rejects tool-call arguments that are not JSON, naming the field', () => {
    const call = () => build({ messages: [{ role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] });
    expect(call).toThrow(expect.objectContaining({ status: 400, param: 'messages[0].tool_calls[0].function.arguments' }));
  });

  it('rejects audio parts, which Anthropic does not accept', () => {
    const call = () => build({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] });
    expect(call).toThrow(expect.objectContaining({ status: 400, param: 'messages[0].content[0].type' }));
  });
});
