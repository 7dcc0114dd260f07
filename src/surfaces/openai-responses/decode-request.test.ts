import { describe, expect, it } from 'vitest';
import type OpenAI from 'openai';
import { InvalidRequestError } from '../../errors/index.js';
import { decodeResponsesRequest } from './decode-request.js';
import type { InputItem } from './input-items.js';
import { parseResponsesRequest } from './request-schema.js';

/** Requests are typed as the `openai` client's params, so they are shapes a real caller sends. */
function decode(body: OpenAI.Responses.ResponseCreateParams, history: InputItem[] = []) {
  return decodeResponsesRequest(parseResponsesRequest(body), history);
}

function decodeError(body: unknown): InvalidRequestError {
  try {
    decodeResponsesRequest(parseResponsesRequest(body));
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

describe('decoding text input', () => {
  it('turns a string input into one user message and nothing else', () => {
    expect(decode({ model: 'gpt-4o-mini', input: 'Hello' }).chat).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });
  });

  it('puts instructions first as a system message, and keeps the roles of message items', () => {
    const { chat } = decode({
      model: 'gpt-4o-mini',
      instructions: 'Answer in French.',
      input: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Bonjour', annotations: [] }], id: 'msg_1', status: 'completed' },
        { role: 'user', content: 'How are you?' },
      ],
    });
    expect(chat.messages).toEqual([
      { role: 'system', content: 'Answer in French.' },
      { role: 'developer', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: 'Bonjour' },
      { role: 'user', content: 'How are you?' },
    ]);
  });

  it('maps the sampling and limit parameters, and asks for usage on a stream', () => {
    const { chat, stream, store } = decode({
      model: 'gpt-4o-mini',
      input: 'Hello',
      max_output_tokens: 200,
      temperature: 0.3,
      top_p: 0.9,
      reasoning: { effort: 'low' },
      user: 'end-user-7',
      metadata: { team: 'search' },
      stream: true,
      store: true,
      text: { verbosity: 'low' },
    });
    expect(chat).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 200,
      temperature: 0.3,
      top_p: 0.9,
      reasoning_effort: 'low',
      user: 'end-user-7',
      metadata: { team: 'search' },
      verbosity: 'low',
    });
    expect(stream).toBe(true);
    expect(store).toBe(true);
  });

  it('is stateless unless store is true', () => {
    expect(decode({ model: 'm', input: 'Hi' }).store).toBe(false);
    expect(decode({ model: 'm', input: 'Hi', store: false }).store).toBe(false);
  });

  it('drops reasoning items, whose content only OpenAI can read', () => {
    const { chat } = decode({
      model: 'm',
      input: [
        { role: 'user', content: 'Q1' },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'opaque' },
        { role: 'assistant', content: 'A1' },
        { role: 'user', content: 'Q2' },
      ],
    });
    expect(chat.messages).toEqual([
      { role: 'user', content: 'Q1' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'Q2' },
    ]);
  });

  it('keeps an earlier refusal as the assistant refusal', () => {
    const { chat } = decode({
      model: 'm',
      input: [
        { role: 'user', content: 'Q' },
        { type: 'message', role: 'assistant', id: 'msg_1', status: 'completed', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] },
        { role: 'user', content: 'Why?' },
      ],
    });
    expect(chat.messages[1]).toEqual({ role: 'assistant', content: null, refusal: 'I cannot help with that.' });
  });
});

describe('decoding images, files and audio', () => {
  it('maps input_image, input_file and input_audio to Chat parts', () => {
    const { chat } = decode({
      model: 'gpt-4o',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is in these?' },
            { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'low' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
            { type: 'input_file', filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
          ],
        },
      ],
    });
    expect(chat.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'report.pdf' } },
        ],
      },
    ]);
  });

  it('refuses an image given only as a file id, naming the field', () => {
    const error = decodeError({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1', detail: 'auto' }] }] });
    expect(error.param).toBe('input[0].content[0].image_url');
    expect(error.message).toMatch(/file storage/);
  });

  it('refuses a file given by URL rather than dropping it', () => {
    const error = decodeError({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_url: 'https://example.com/a.pdf' }] }] });
    expect(error.param).toBe('input[0].content[0].file_url');
  });
});

describe('decoding function tools', () => {
  it('maps function tools, a forced tool choice and parallel_tool_calls', () => {
    const { chat, echo } = decode({
      model: 'gpt-4o-mini',
      input: 'Weather in Paris?',
      tools: [weatherTool, { type: 'function', name: 'get_time', parameters: null, strict: null }],
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: false,
    });
    expect(chat).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Current weather for a city', parameters: weatherTool.parameters, strict: true } },
        { type: 'function', function: { name: 'get_time' } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
    expect(echo.tools).toEqual([
      { type: 'function', name: 'get_weather', description: 'Current weather for a city', parameters: weatherTool.parameters, strict: true },
      { type: 'function', name: 'get_time', description: null, parameters: null, strict: null },
    ]);
    expect(echo.tool_choice).toEqual({ type: 'function', name: 'get_weather' });
    expect(echo.parallel_tool_calls).toBe(false);
  });

  it('narrows the tools to an allowed_tools choice, with its mode as the Chat choice', () => {
    const { chat, echo } = decode({
      model: 'm',
      input: 'Hi',
      tools: [weatherTool, { type: 'function', name: 'get_time', parameters: null, strict: false }],
      tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'get_time' }] },
    });
    expect(chat.tools).toEqual([{ type: 'function', function: { name: 'get_time', strict: false } }]);
    expect(chat.tool_choice).toBe('required');
    expect(echo.tool_choice).toEqual({ type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'get_time' }] });
  });

  it('translates a function-call round trip into an assistant tool call and a tool message', () => {
    const { chat } = decode({
      model: 'gpt-4o-mini',
      input: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { type: 'function_call', id: 'fc_1', call_id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
        { type: 'function_call', id: 'fc_2', call_id: 'call_rome', name: 'get_weather', arguments: '{"city":"Rome"}', status: 'completed' },
        { type: 'function_call_output', call_id: 'call_paris', output: '18°C, cloudy' },
        { type: 'function_call_output', call_id: 'call_rome', output: [{ type: 'input_text', text: '24°C, ' }, { type: 'input_text', text: 'sunny' }] },
      ],
      tools: [weatherTool],
    });
    expect(chat.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_rome', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_paris', content: '18°C, cloudy' },
      { role: 'tool', tool_call_id: 'call_rome', content: '24°C, sunny' },
    ]);
  });

  it('joins a function call to the assistant text before it, as one Chat turn', () => {
    const { chat } = decode({
      model: 'm',
      input: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: 'Let me check.' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'rain' },
      ],
    });
    expect(chat.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'rain' },
    ]);
  });

  it('moves the images of tool outputs into a user message after the whole run of tool messages', () => {
    const { chat } = decode({
      model: 'm',
      input: [
        { role: 'user', content: 'Look at both' },
        { type: 'function_call', call_id: 'call_a', name: 'screenshot', arguments: '{}' },
        { type: 'function_call', call_id: 'call_b', name: 'screenshot', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_a', output: [{ type: 'input_text', text: 'shot a' }, { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' }] },
        { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_image', image_url: 'https://example.com/b.png', detail: 'high' }] },
      ],
    });
    expect(chat.messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'call_a', content: 'shot a' },
      { role: 'tool', tool_call_id: 'call_b', content: '' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'auto' } },
          { type: 'image_url', image_url: { url: 'https://example.com/b.png', detail: 'high' } },
        ],
      },
    ]);
  });

  it('refuses a function call output whose call is nowhere in the conversation', () => {
    const error = decodeError({ model: 'm', input: [{ role: 'user', content: 'Hi' }, { type: 'function_call_output', call_id: 'call_missing', output: 'x' }] });
    expect(error.param).toBe('input[1].call_id');
    expect(error.message).toMatch(/call_missing/);
  });

  it.each([
    ['web_search_preview', { type: 'web_search_preview' }],
    ['web_search', { type: 'web_search' }],
    ['file_search', { type: 'file_search', vector_store_ids: ['vs_1'] }],
    ['computer_use_preview', { type: 'computer_use_preview', display_width: 1024, display_height: 768, environment: 'browser' }],
    ['code_interpreter', { type: 'code_interpreter', container: { type: 'auto' } }],
    ['image_generation', { type: 'image_generation' }],
    ['mcp', { type: 'mcp', server_label: 'x', server_url: 'https://example.com' }],
    ['local_shell', { type: 'local_shell' }],
    ['custom', { type: 'custom', name: 'apply_patch' }],
  ])('refuses the %s tool with a 400 that names it', (type, tool) => {
    const error = decodeError({ model: 'm', input: 'Hi', tools: [weatherTool, tool] });
    expect(error.status).toBe(400);
    expect(error.param).toBe('tools[1].type');
    expect(error.code).toBe('unsupported_tool');
    expect(error.message).toContain(`'${type}'`);
  });

  it('refuses a tool choice that names a built-in tool', () => {
    const error = decodeError({ model: 'm', input: 'Hi', tool_choice: { type: 'file_search' } });
    expect(error.param).toBe('tool_choice.type');
    expect(error.message).toContain("'file_search'");
  });

  it('refuses a forced tool that is not among the tools', () => {
    expect(decodeError({ model: 'm', input: 'Hi', tools: [weatherTool], tool_choice: { type: 'function', name: 'nope' } }).param).toBe('tool_choice.name');
  });

  it('refuses input items of built-in tools and item references by type', () => {
    const error = decodeError({ model: 'm', input: [{ role: 'user', content: 'Hi' }, { type: 'web_search_call', id: 'ws_1', status: 'completed' }] });
    expect(error.param).toBe('input[1].type');
    expect(error.message).toContain("'web_search_call'");
    expect(decodeError({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] }).param).toBe('input[0].type');
  });
});

describe('decoding text.format', () => {
  it('maps a JSON schema format to response_format and echoes it', () => {
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'], additionalProperties: false };
    const { chat, echo } = decode({
      model: 'gpt-4o-mini',
      input: 'What is 6 × 7?',
      text: { format: { type: 'json_schema', name: 'answer', description: 'The result', schema, strict: true } },
    });
    expect(chat).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is 6 × 7?' }],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', description: 'The result', schema, strict: true } },
    });
    expect(echo.text).toEqual({ format: { type: 'json_schema', name: 'answer', description: 'The result', schema, strict: true }, verbosity: 'medium' });
  });

  it('maps json_object, and leaves plain text out of the Chat request', () => {
    expect(decode({ model: 'm', input: 'Hi', text: { format: { type: 'json_object' } } }).chat.response_format).toEqual({ type: 'json_object' });
    const plain = decode({ model: 'm', input: 'Hi', text: { format: { type: 'text' } } });
    expect(plain.chat.response_format).toBeUndefined();
    expect(plain.echo.text.format).toEqual({ type: 'text' });
  });
});

describe('decoding a continuation', () => {
  it('puts the stored conversation before the new input, and not the earlier instructions', () => {
    const history: InputItem[] = [
      { type: 'message', role: 'user', content: 'My name is Ada.' },
      { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello Ada.', annotations: [], logprobs: [] }] },
    ];
    const { chat, inputItems, echo } = decode({ model: 'm', instructions: 'Be warm.', input: 'What is my name?', previous_response_id: 'resp_1' }, history);
    expect(chat.messages).toEqual([
      { role: 'system', content: 'Be warm.' },
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Hello Ada.' },
      { role: 'user', content: 'What is my name?' },
    ]);
    expect(inputItems).toEqual([{ type: 'message', role: 'user', content: 'What is my name?' }]);
    expect(echo.previous_response_id).toBe('resp_1');
  });

  it('answers a tool output whose call is in the stored conversation', () => {
    const history: InputItem[] = [
      { type: 'message', role: 'user', content: 'Weather?' },
      { type: 'function_call', id: 'fc_1', status: 'completed', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
    ];
    const { chat } = decode({ model: 'm', input: [{ type: 'function_call_output', call_id: 'call_1', output: 'sunny' }], previous_response_id: 'resp_1' }, history);
    expect(chat.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_1', content: 'sunny' });
  });
});

describe('refusing invalid requests', () => {
  it('names the field in error', () => {
    expect(decodeError({ input: 'Hi' }).param).toBe('model');
    expect(decodeError({ model: 'm', input: 'Hi', temperature: 3 }).param).toBe('temperature');
    expect(decodeError({ model: 'm', input: [{ role: 'user' }] }).param).toBe('input[0].content');
    expect(decodeError({ model: 'm', input: [{ type: 'function_call', call_id: 'c', arguments: '{}' }] }).param).toBe('input[0].name');
    expect(decodeError({ model: 'm', input: 'Hi', text: { format: { type: 'json_schema', name: 'x' } } }).param).toBe('text.format.schema');
  });

  it('refuses a request with no input', () => {
    const error = decodeError({ model: 'm', instructions: 'Be brief.' });
    expect(error.param).toBe('input');
    expect(error.code).toBe('missing_required_parameter');
  });

  it('refuses background mode, conversations and stored prompts rather than ignoring them', () => {
    expect(decodeError({ model: 'm', input: 'Hi', background: true }).param).toBe('background');
    expect(decodeError({ model: 'm', input: 'Hi', conversation: 'conv_1' }).param).toBe('conversation');
    expect(decodeError({ model: 'm', input: 'Hi', prompt: { id: 'pmpt_1' } }).param).toBe('prompt');
  });
});
