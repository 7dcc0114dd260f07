import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import { buildGeminiRequest } from './request-mapping.js';

const weatherParameters = { type: 'object', properties: { location: { type: 'string' } }, required: ['location'], additionalProperties: false };
const weatherTool = { type: 'function' as const, function: { name: 'get_weather', description: 'Current weather', parameters: weatherParameters } };

function build(request: Partial<ChatCompletionRequest>) {
  return buildGeminiRequest({ model: 'gemini-flash', messages: [{ role: 'user', content: 'Hi' }], ...request });
}

describe('buildGeminiRequest', () => {
  it('sends system and developer messages as systemInstruction and the assistant as `model`', () => {
    expect(
      build({
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: 'Bonjour' },
          { role: 'assistant', content: 'Salut.' },
          { role: 'user', content: 'Ça va ?' },
          { role: 'user', content: 'Réponds.' },
        ],
      }),
    ).toEqual({
      systemInstruction: { parts: [{ text: 'You are terse.' }, { text: 'Answer in French.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Bonjour' }] },
        { role: 'model', parts: [{ text: 'Salut.' }] },
        { role: 'user', parts: [{ text: 'Ça va ?' }, { text: 'Réponds.' }] },
      ],
    });
  });

  it('maps sampling fields into generationConfig', () => {
    expect(build({ temperature: 1.4, top_p: 0.9, max_completion_tokens: 256, max_tokens: 999, stop: ['END', 'STOP'], seed: 7, n: 2, presence_penalty: 0.5, frequency_penalty: 0.25, user: 'u-1' })).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      generationConfig: { temperature: 1.4, topP: 0.9, maxOutputTokens: 256, stopSequences: ['END', 'STOP'], seed: 7, candidateCount: 2, presencePenalty: 0.5, frequencyPenalty: 0.25 },
    });
  });

  it('sends json_object as a JSON response type and json_schema as responseJsonSchema', () => {
    expect(build({ response_format: { type: 'json_object' } }).generationConfig).toEqual({ responseMimeType: 'application/json' });
    const schema = { type: 'object', properties: { city: { type: ['string', 'null'] } }, required: ['city'], additionalProperties: false };
    expect(build({ response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } } }).generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseJsonSchema: schema,
    });
  });

  it('maps tools to functionDeclarations with parametersJsonSchema', () => {
    expect(build({ tools: [weatherTool, { type: 'function', function: { name: 'get_time' } }] })).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Current weather', parametersJsonSchema: weatherParameters }, { name: 'get_time' }] }],
    });
  });

  it.each([
    ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
    ['none', { functionCallingConfig: { mode: 'NONE' } }],
    ['required', { functionCallingConfig: { mode: 'ANY' } }],
    [{ type: 'function', function: { name: 'get_weather' } }, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } }],
  ] as const)('maps tool_choice %j to toolConfig', (choice, expected) => {
    expect(build({ tools: [weatherTool], tool_choice: choice }).toolConfig).toEqual(expected);
  });

  it('turns tool calls into functionCall parts and tool results into functionResponse parts named after the call', () => {
    const body = build({
      messages: [
        { role: 'user', content: 'Weather and time in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' }, extra_content: { google: { thought_signature: 'c2lnbmF0dXJl' } } } as never,
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"celsius":21}' },
        { role: 'tool', tool_call_id: 'call_2', content: '14:05' },
      ],
    });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather and time in Paris?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { location: 'Paris' } }, thoughtSignature: 'c2lnbmF0dXJl' },
          { functionCall: { name: 'get_time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { celsius: 21 } } },
          { functionResponse: { name: 'get_time', response: { content: '14:05' } } },
        ],
      },
    ]);
  });

  it('sends data-URL images inline and http URLs as fileData with a media type', () => {
    const body = build({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare.' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/photos/cat.webp?size=large' } },
            { type: 'image_url', image_url: { url: 'https://example.com/render' } },
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          ],
        },
      ],
    });
    expect(body.contents[0]!.parts).toEqual([
      { text: 'Compare.' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/photos/cat.webp?size=large' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/render' } },
      { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
    ]);
  });

  it('rejects a tool result that answers no earlier tool call, naming the field', () => {
    const call = () => build({ messages: [{ role: 'user', content: 'Hi' }, { role: 'tool', tool_call_id: 'call_unknown', content: 'x' }] });
    expect(call).toThrow(expect.objectContaining({ status: 400, param: 'messages[1].tool_call_id' }));
  });
});
