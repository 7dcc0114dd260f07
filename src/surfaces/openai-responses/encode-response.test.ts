import { describe, expect, it } from 'vitest';
import type OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import type { ChatCompletion } from '../../protocol/chat-types.js';
import { jsonResponse, openAIClientAnswering } from '../../testing/sdk-over-fetch.js';
import { decodeResponsesRequest } from './decode-request.js';
import { encodeResponse } from './encode-response.js';
import { parseResponsesRequest } from './request-schema.js';
import type { ResponseObject } from './response-types.js';

const RESPONSE_ID = `resp_${'ab'.repeat(24)}`;

function completion(message: ChatCompletion['choices'][number]['message'], finishReason: ChatCompletion['choices'][number]['finish_reason'] = 'stop'): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message, finish_reason: finishReason }],
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } },
  };
}

/** Encodes `answer` for `params` and returns what the `openai` client makes of it. */
async function throughSdk(params: OpenAI.Responses.ResponseCreateParamsNonStreaming, answer: ChatCompletion) {
  const { echo } = decodeResponsesRequest(parseResponsesRequest(params));
  const encoded = encodeResponse(answer, echo, { id: RESPONSE_ID, createdAt: 1_700_000_001 });
  const client = openAIClientAnswering(() => jsonResponse(encoded));
  return { encoded, sdk: await client.responses.create(params) };
}

describe('encoding a completion as a Response', () => {
  it('shapes a text answer as the real API does, and the SDK reads its output_text', async () => {
    const { encoded, sdk } = await throughSdk({ model: 'my-route', input: 'Hello', instructions: 'Be brief.' }, completion({ role: 'assistant', content: 'Hi there!' }));
    expect(encoded).toEqual({
      id: RESPONSE_ID,
      object: 'response',
      created_at: 1_700_000_001,
      status: 'completed',
      completed_at: expect.any(Number),
      background: false,
      error: null,
      incomplete_details: null,
      instructions: 'Be brief.',
      max_output_tokens: null,
      max_tool_calls: null,
      model: 'my-route',
      output: [
        {
          id: `msg_${'ab'.repeat(24)}0000`,
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Hi there!', annotations: [], logprobs: [] }],
        },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      service_tier: 'default',
      store: false,
      temperature: 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: 'auto',
      tools: [],
      top_logprobs: 0,
      top_p: 1,
      truncation: 'disabled',
      usage: { input_tokens: 12, input_tokens_details: { cached_tokens: 4, cache_write_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 17 },
      user: null,
      metadata: {},
    });
    expect(sdk.output_text).toBe('Hi there!');
    expect(sdk.id).toBe(RESPONSE_ID);
  });

  it('gives each tool call a function_call item whose call_id is the upstream id, and no empty message', async () => {
    const { sdk } = await throughSdk(
      { model: 'gpt-4o-mini', input: 'Weather in Paris and Rome?', tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' }, strict: false }] },
      completion(
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_rome', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        'tool_calls',
      ),
    );
    expect(sdk.output).toEqual([
      { id: `fc_${'ab'.repeat(24)}0000`, type: 'function_call', status: 'completed', call_id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: `fc_${'ab'.repeat(24)}0001`, type: 'function_call', status: 'completed', call_id: 'toolu_rome', name: 'get_weather', arguments: '{"city":"Rome"}' },
    ]);
    expect(sdk.output_text).toBe('');
    expect(sdk.tools).toEqual([{ type: 'function', name: 'get_weather', description: null, parameters: { type: 'object' }, strict: false }]);
  });

  it('puts text said before a tool call in a message ahead of the call', async () => {
    const { sdk } = await throughSdk(
      { model: 'm', input: 'Weather?' },
      completion({ role: 'assistant', content: 'Let me check.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] }, 'tool_calls'),
    );
    expect(sdk.output.map((item) => item.type)).toEqual(['message', 'function_call']);
    expect(sdk.output_text).toBe('Let me check.');
  });

  it('marks an answer cut by the token limit incomplete, with the reason', async () => {
    const { sdk } = await throughSdk({ model: 'm', input: 'Write an essay', max_output_tokens: 16 }, completion({ role: 'assistant', content: 'Once upon a' }, 'length'));
    expect(sdk.status).toBe('incomplete');
    expect(sdk.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(sdk.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
    expect(sdk.max_output_tokens).toBe(16);
    expect(sdk.output_text).toBe('Once upon a');
  });

  it('keeps a refusal as a refusal part', async () => {
    const { sdk } = await throughSdk({ model: 'm', input: 'Something bad' }, completion({ role: 'assistant', content: null, refusal: 'I cannot help with that.' }));
    expect(sdk.output[0]).toMatchObject({ type: 'message', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] });
    expect(sdk.output_text).toBe('');
  });

  it('answers an empty completion with an empty message, so output_text is the empty string', async () => {
    const { sdk } = await throughSdk({ model: 'm', input: 'Say nothing' }, completion({ role: 'assistant', content: '' }));
    expect(sdk.output).toHaveLength(1);
    expect(sdk.output_text).toBe('');
  });

  it('reports the gateway count when the upstream gave no usage', () => {
    const { echo } = decodeResponsesRequest(parseResponsesRequest({ model: 'm', input: 'Hi' }));
    const withoutUsage = { ...completion({ role: 'assistant', content: 'Hi' }), usage: undefined };
    expect(encodeResponse(withoutUsage, echo).usage).toBeNull();
    expect(encodeResponse(withoutUsage, echo, { fallbackUsage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }).usage).toEqual({
      input_tokens: 3,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 1,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 4,
    });
  });

  it('lets the SDK parse a JSON-schema answer into output_parsed', async () => {
    const Answer = z.object({ answer: z.number(), unit: z.string() });
    const params = { model: 'm', input: 'How far?', text: { format: zodTextFormat(Answer, 'distance') } };
    const { echo } = decodeResponsesRequest(parseResponsesRequest(params));
    const encoded = encodeResponse(completion({ role: 'assistant', content: '{"answer":42,"unit":"km"}' }), echo);
    const client = openAIClientAnswering(() => jsonResponse(encoded));
    const parsed = await client.responses.parse(params);
    expect(parsed.output_parsed).toEqual({ answer: 42, unit: 'km' });
    expect(encoded.text.format).toMatchObject({ type: 'json_schema', name: 'distance', strict: true });
  });

  it('has the shape of the openai package’s Response type', () => {
    const { echo } = decodeResponsesRequest(parseResponsesRequest({ model: 'm', input: 'Hi' }));
    const encoded: ResponseObject = encodeResponse(completion({ role: 'assistant', content: 'Hi' }), echo);
    // Compile-time check: the encoder's type must be assignable to the SDK's. The SDK adds
    // output_text itself, and types usage and user as never null although the API sends null
    // (usage while a response is in progress, user when none was given).
    const typed: OpenAI.Responses.Response = { ...encoded, usage: encoded.usage ?? undefined, user: encoded.user ?? undefined, output_text: '' };
    expect(typed.object).toBe('response');
  });
});
