import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../errors/index.js';
import { decodeMessagesRequest } from './decode-request.js';
import { UntranslatableFeatureError } from '../../errors/index.js';

const claudeCodeTurn = JSON.parse(readFileSync(new URL('./__fixtures__/claude-code-request.json', import.meta.url), 'utf8'));

const user = (content: unknown) => ({ role: 'user', content });
const minimal = (extra: Record<string, unknown> = {}) => ({ model: 'claude-haiku', max_tokens: 256, messages: [user('Hello')], ...extra });

describe('decodeMessagesRequest: a Claude Code turn', () => {
  it('translates system blocks, tools, thinking history, tool uses and tool results into one OpenAI request', () => {
    const decoded = decodeMessagesRequest(claudeCodeTurn);
    const tool = (index: number) => ({
      type: 'function',
      function: { name: claudeCodeTurn.tools[index].name, description: claudeCodeTurn.tools[index].description, parameters: claudeCodeTurn.tools[index].input_schema },
    });
    expect(decoded.request).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      messages: [
        {
          role: 'system',
          content: [
            { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
            { type: 'text', text: claudeCodeTurn.system[1].text, cache_control: { type: 'ephemeral' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: claudeCodeTurn.messages[0].content[0].text },
            { type: 'text', text: 'why do the tests fail?' },
          ],
        },
        {
          role: 'assistant',
          content: "I'll look at the test setup and the package manifest.",
          tool_calls: [
            { id: 'toolu_01FhT4ZcVx2EvCDpp3mJ7qYk', type: 'function', function: { name: 'Glob', arguments: '{"pattern":"src/**/*.test.ts"}' } },
            { id: 'toolu_01Lw9d2CqGmXoRrE8bSUtPzN', type: 'function', function: { name: 'Read', arguments: '{"file_path":"/home/dev/project/package.json"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_01FhT4ZcVx2EvCDpp3mJ7qYk', content: '/home/dev/project/src/math.test.ts\n/home/dev/project/src/parse.test.ts' },
        { role: 'tool', tool_call_id: 'toolu_01Lw9d2CqGmXoRrE8bSUtPzN', content: 'Error: <tool_use_error>File does not exist.</tool_use_error>' },
        {
          role: 'user',
          content: [{ type: 'text', text: '<system-reminder>\nThe package manifest is at the repository root.\n</system-reminder>', cache_control: { type: 'ephemeral' } }],
        },
      ],
      max_tokens: 32000,
      tools: [0, 1, 2, 3, 4, 5, 6].map(tool),
      temperature: 1,
      user: claudeCodeTurn.metadata.user_id,
      reasoning_effort: 'high',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(decoded.untranslatable).toEqual([]);
  });

  it('returns the client body itself for a native pass-through', () => {
    expect(decodeMessagesRequest(claudeCodeTurn).native).toBe(claudeCodeTurn);
  });
});

describe('decodeMessagesRequest: content blocks', () => {
  it('turns base64 and url images into image_url parts, a PDF into a file part and a text document into text', () => {
    const { request } = decodeMessagesRequest(
      minimal({
        messages: [
          user([
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQ=' }, title: 'contract.pdf' },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjc=' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'The grass is green.' } },
            { type: 'text', text: 'Describe them.' },
          ]),
        ],
      }),
    );
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          { type: 'file', file: { filename: 'contract.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQ=' } },
          { type: 'file', file: { filename: 'document.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjc=' } },
          { type: 'text', text: 'The grass is green.' },
          { type: 'text', text: 'Describe them.' },
        ],
      },
    ]);
  });

  it('puts tool messages before the user text of the same turn and moves tool-result images into that user message', () => {
    const { request } = decodeMessagesRequest(
      minimal({
        messages: [
          user('Take a screenshot'),
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'screenshot', input: {} }] },
          user([
            { type: 'text', text: 'Here it is.' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: [
                { type: 'text', text: 'Captured 1 screen.' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } },
              ],
            },
          ]),
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'user', content: 'Take a screenshot' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'screenshot', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'Captured 1 screen.' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBO' } },
          { type: 'text', text: 'Here it is.' },
        ],
      },
    ]);
  });

  it('sends no user message for a turn of tool results only, and an empty result as empty text', () => {
    const { request } = decodeMessagesRequest(
      minimal({
        messages: [
          user('Run it'),
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'run', input: { fast: true } }] },
          user([{ type: 'tool_result', tool_use_id: 'toolu_1' }]),
        ],
      }),
    );
    expect(request.messages.slice(2)).toEqual([{ role: 'tool', tool_call_id: 'toolu_1', content: '' }]);
  });

  it('drops thinking and redacted thinking from the history and joins split text blocks without a separator', () => {
    const { request, untranslatable } = decodeMessagesRequest(
      minimal({
        messages: [
          user('Colour of grass?'),
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Grass is green.', signature: 'EqQBCkgI' },
              { type: 'redacted_thinking', data: 'EmwKAhgB' },
              { type: 'text', text: 'The grass is ' },
              { type: 'text', text: 'green', citations: [{ type: 'char_location', cited_text: 'green' }] },
              { type: 'text', text: '.' },
            ],
          },
          user('And the sky?'),
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'user', content: 'Colour of grass?' },
      { role: 'assistant', content: 'The grass is green.' },
      { role: 'user', content: 'And the sky?' },
    ]);
    expect(untranslatable).toEqual([]);
  });
});

describe('decodeMessagesRequest: parameters', () => {
  it('maps stop sequences, sampling, user id and max_tokens, and asks a stream for usage', () => {
    const { request } = decodeMessagesRequest(
      minimal({ stop_sequences: ['\n\nHuman:', 'END'], temperature: 0.3, top_p: 0.9, metadata: { user_id: 'u-42' }, stream: true }),
    );
    expect(request).toEqual({
      model: 'claude-haiku',
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 256,
      stop: ['\n\nHuman:', 'END'],
      temperature: 0.3,
      top_p: 0.9,
      user: 'u-42',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it.each([
    [{ type: 'auto' }, { tool_choice: 'auto' }],
    [{ type: 'any' }, { tool_choice: 'required' }],
    [{ type: 'tool', name: 'get_weather' }, { tool_choice: { type: 'function', function: { name: 'get_weather' } } }],
    [{ type: 'none' }, { tool_choice: 'none' }],
    [{ type: 'auto', disable_parallel_tool_use: true }, { tool_choice: 'auto', parallel_tool_calls: false }],
    [{ type: 'any', disable_parallel_tool_use: true }, { tool_choice: 'required', parallel_tool_calls: false }],
  ])('maps tool_choice %j to %j', (toolChoice, expected) => {
    const tools = [{ name: 'get_weather', description: 'Weather now', input_schema: { type: 'object', properties: { city: { type: 'string' } } }, strict: true }];
    const { request } = decodeMessagesRequest(minimal({ tools, tool_choice: toolChoice }));
    expect(request.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: tools[0]!.input_schema, strict: true } },
    ]);
    expect({ tool_choice: request.tool_choice, parallel_tool_calls: request.parallel_tool_calls }).toEqual({ parallel_tool_calls: undefined, ...expected });
  });

  it.each([
    [1024, 'low'],
    [4000, 'low'],
    [4096, 'low'],
    [10000, 'medium'],
    [16384, 'medium'],
    [31999, 'high'],
  ])('maps a thinking budget of %i tokens to reasoning_effort %s', (budget, effort) => {
    expect(decodeMessagesRequest(minimal({ thinking: { type: 'enabled', budget_tokens: budget } })).request.reasoning_effort).toBe(effort);
  });

  it('takes output_config.effort over the budget and sends no effort for disabled or adaptive thinking', () => {
    expect(decodeMessagesRequest(minimal({ thinking: { type: 'enabled', budget_tokens: 2000 }, output_config: { effort: 'max' } })).request.reasoning_effort).toBe('high');
    expect(decodeMessagesRequest(minimal({ thinking: { type: 'disabled' } })).request.reasoning_effort).toBeUndefined();
    expect(decodeMessagesRequest(minimal({ thinking: { type: 'adaptive' } })).request.reasoning_effort).toBeUndefined();
  });

  it('maps a JSON schema output format to a strict json_schema response format', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    expect(decodeMessagesRequest(minimal({ output_config: { format: { type: 'json_schema', schema } } })).request.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'output', schema, strict: true },
    });
  });
});

describe('decodeMessagesRequest: what only an Anthropic deployment can serve', () => {
  it('lists server tools, top_k, MCP servers, a container, file ids, document URLs and a prefill, and leaves them out of the request', () => {
    const decoded = decodeMessagesRequest(
      minimal({
        top_k: 40,
        mcp_servers: [{ type: 'url', url: 'https://mcp.example.com/sse', name: 'example' }],
        container: 'container_011',
        tools: [
          { name: 'get_weather', input_schema: { type: 'object', properties: {} } },
          { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
          { type: 'bash_20250124', name: 'bash' },
        ],
        messages: [
          user([
            { type: 'image', source: { type: 'file', file_id: 'file_011' } },
            { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
            { type: 'search_result', source: 'https://example.com', title: 'A', content: [{ type: 'text', text: 'a' }] },
            { type: 'text', text: 'Summarise.' },
          ]),
          { role: 'assistant', content: [{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'a' } }] },
          user('Go on.'),
          { role: 'assistant', content: '{"summary": "' },
        ],
      }),
    );
    expect(decoded.untranslatable).toEqual([
      { feature: 'an image given by Files API id', param: 'messages.0.content.0.source' },
      { feature: 'a document given by URL', param: 'messages.0.content.1.source' },
      { feature: "'search_result' content blocks in a user message", param: 'messages.0.content.2' },
      { feature: "'server_tool_use' content blocks in an assistant message", param: 'messages.1.content.0' },
      { feature: "an assistant prefill (a last message with role 'assistant')", param: 'messages.3' },
      { feature: "the Anthropic tool 'web_search' (web_search_20250305)", param: 'tools.1' },
      { feature: "the Anthropic tool 'bash' (bash_20250124)", param: 'tools.2' },
      { feature: 'top_k', param: 'top_k' },
      { feature: 'MCP servers (mcp_servers)', param: 'mcp_servers' },
      { feature: 'a code execution container', param: 'container' },
    ]);
    expect(decoded.request.messages[0]).toEqual({ role: 'user', content: [{ type: 'text', text: 'Summarise.' }] });
    expect(decoded.request.tools!.map((tool) => tool.function.name)).toEqual(['get_weather']);
    expect(decoded.request).not.toHaveProperty('top_k');
  });

  it('names the feature, where it is and the target in the 400 for a non-Anthropic target', () => {
    const error = new UntranslatableFeatureError({ feature: "the Anthropic tool 'web_search' (web_search_20250305)", param: 'tools.1' }, 'gpt-4o-mini');
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'tools.1', code: 'untranslatable_feature' });
    expect(error.message).toBe(
      "The Anthropic tool 'web_search' (web_search_20250305) (at 'tools.1') can only be served by an Anthropic deployment, and 'gpt-4o-mini' is not one. Send the request to an Anthropic model, or remove that part of it.",
    );
  });
});

describe('decodeMessagesRequest: validation', () => {
  const invalid = (body: unknown) => {
    try {
      decodeMessagesRequest(body);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRequestError);
      return { message: (error as InvalidRequestError).message, param: (error as InvalidRequestError).param, code: (error as InvalidRequestError).code };
    }
    throw new Error('the body was accepted');
  };

  it('names the Anthropic-style path of a bad image source', () => {
    const body = minimal({ messages: [user('a'), { role: 'assistant', content: 'b' }, user([{ type: 'image', source: { type: 'base64', data: 'iVBO' } }])] });
    expect(invalid(body)).toEqual({ message: 'messages.2.content.0.source.media_type: Field required', param: 'messages.2.content.0.source.media_type', code: 'missing_required_parameter' });
  });

  it('says a field of the wrong type is invalid, not missing', () => {
    expect(invalid(minimal({ messages: [user([{ type: 'text', text: 42 }])] }))).toMatchObject({ param: 'messages.0.content.0.text', code: 'invalid_value' });
  });

  it('checks blocks nested in a tool result', () => {
    const body = minimal({ messages: [user([{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'image', source: { type: 'gif' } }] }])] });
    expect(invalid(body)).toMatchObject({ param: 'messages.0.content.0.content.0.source.type' });
  });

  it('requires max_tokens, an input_schema on custom tools and a budget for enabled thinking', () => {
    expect(invalid({ model: 'm', messages: [user('hi')] })).toMatchObject({ param: 'max_tokens', code: 'missing_required_parameter' });
    expect(invalid(minimal({ tools: [{ name: 'get_weather' }] }))).toMatchObject({ param: 'tools.0.input_schema' });
    expect(invalid(minimal({ thinking: { type: 'enabled' } }))).toMatchObject({ param: 'thinking.budget_tokens' });
  });

  it('rejects a role OpenAI-style clients use but Anthropic does not', () => {
    expect(invalid(minimal({ messages: [{ role: 'system', content: 'Be brief.' }] }))).toMatchObject({ param: 'messages.0.role' });
  });

  it('accepts content block types it does not know, for Anthropic to judge', () => {
    expect(decodeMessagesRequest(minimal({ messages: [user([{ type: 'container_upload', file_id: 'file_1' }])] })).untranslatable).toEqual([
      { feature: "'container_upload' content blocks in a user message", param: 'messages.0.content.0' },
    ]);
  });
});
