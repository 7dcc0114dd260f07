import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { UpstreamConnectionError } from '../../errors/index.js';
import type { ChatCompletionChunk, ChatCompletionChunkChoice, Usage } from '../../protocol/chat-types.js';
import { openAIClientAnswering, sseResponse } from '../../testing/sdk-over-fetch.js';
import { decodeResponsesRequest } from './decode-request.js';
import { parseResponsesRequest } from './request-schema.js';
import { ResponseStreamEncoder } from './stream-encoder.js';

const USAGE: Usage = { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 };

function chunk(delta: ChatCompletionChunkChoice['delta'], finishReason: ChatCompletionChunkChoice['finish_reason'] = null): ChatCompletionChunk {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'upstream-model', choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

function usageChunk(usage: Usage = USAGE): ChatCompletionChunk {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'upstream-model', choices: [], usage };
}

const textChunks = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hello' }), chunk({ content: ' there!' }), chunk({}, 'stop'), usageChunk()];

const toolChunks = [
  chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'call_rome', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] }),
  chunk({}, 'tool_calls'),
  usageChunk(),
];

type Ending = { finish: true } | { fail: Error & { code: string | null; type: string; status: number } };

/** What the encoder writes for `chunks`, one string per encoder call, as a handler would write them. */
function encode(params: OpenAI.Responses.ResponseCreateParams, chunks: ChatCompletionChunk[], ending: Ending = { finish: true }) {
  const { echo } = decodeResponsesRequest(parseResponsesRequest(params));
  const encoder = new ResponseStreamEncoder(echo);
  const frames = [encoder.start(), ...chunks.map((each) => encoder.push(each))];
  frames.push('finish' in ending ? encoder.finish() : encoder.fail(ending.fail));
  return { encoder, frames };
}

function clientFor(frames: string[]): OpenAI {
  return openAIClientAnswering(() => sseResponse(frames));
}

/** The events as the SDK's own SSE parser reads them. */
async function sdkEvents(frames: string[], params: OpenAI.Responses.ResponseCreateParamsStreaming): Promise<OpenAI.Responses.ResponseStreamEvent[]> {
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  for await (const event of await clientFor(frames).responses.create(params)) events.push(event);
  return events;
}

describe('streaming a text answer', () => {
  const params = { model: 'my-route', input: 'Say hello', stream: true as const };

  it('sends the real event sequence, numbered from 0, with the SSE event name equal to the type', async () => {
    const { frames } = encode(params, textChunks);
    const events = await sdkEvents(frames, params);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const raw = frames.join('');
    for (const block of raw.split('\n\n').filter(Boolean)) {
      const [eventLine, dataLine] = block.split('\n');
      expect(eventLine).toBe(`event: ${JSON.parse(dataLine!.slice('data: '.length)).type}`);
    }
  });

  it('gives responses.stream the final response and output_text, with text snapshots on the way', async () => {
    const { frames, encoder } = encode(params, textChunks);
    const stream = clientFor(frames).responses.stream(params);
    const snapshots: string[] = [];
    stream.on('response.output_text.delta', (event) => snapshots.push(event.snapshot));
    const final = await stream.finalResponse();
    expect(snapshots).toEqual(['Hello', 'Hello there!']);
    expect(final.output_text).toBe('Hello there!');
    expect(final.status).toBe('completed');
    expect(final.model).toBe('my-route');
    expect(final.id).toBe(encoder.id);
    expect(final.usage).toEqual({ input_tokens: 9, input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 13 });
    expect(final.output).toEqual([
      { id: expect.stringMatching(/^msg_/), type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello there!', annotations: [], logprobs: [], parsed: null }] },
    ]);
  });

  it('ends with the same response the encoder reports, for the store', async () => {
    const { frames, encoder } = encode(params, textChunks);
    const events = await sdkEvents(frames, params);
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response).toEqual(encoder.response);
    expect(encoder.response.status).toBe('completed');
  });

  it('opens the message on the first text, not on the role-only chunk', async () => {
    const { frames } = encode(params, [chunk({ role: 'assistant', content: '' })]);
    const events = await sdkEvents(frames.slice(0, 2), params);
    expect(events.map((event) => event.type)).toEqual(['response.created', 'response.in_progress']);
  });

  it('reports the gateway count when the upstream sent no usage', () => {
    const { echo } = decodeResponsesRequest(parseResponsesRequest(params));
    const encoder = new ResponseStreamEncoder(echo);
    encoder.push(chunk({ content: 'Hi' }, 'stop'));
    encoder.finish({ fallbackUsage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 } });
    expect(encoder.response.usage?.total_tokens).toBe(3);
  });

  it('answers an empty stream with an empty message, so output_text is the empty string', async () => {
    const { frames } = encode(params, [chunk({}, 'stop')]);
    const final = await clientFor(frames).responses.stream(params).finalResponse();
    expect(final.output).toHaveLength(1);
    expect(final.output_text).toBe('');
  });

  it('ends an answer cut by the token limit with response.incomplete', async () => {
    const { frames } = encode(params, [chunk({ content: 'Once upon' }, 'length'), usageChunk()]);
    const events = await sdkEvents(frames, params);
    expect(events.at(-1)?.type).toBe('response.incomplete');
    const final = await clientFor(frames).responses.stream(params).finalResponse();
    expect(final.status).toBe('incomplete');
    expect(final.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(final.output[0]).toMatchObject({ status: 'incomplete' });
    expect(final.output_text).toBe('Once upon');
  });

  it('streams a refusal as a refusal part', async () => {
    const { frames } = encode(params, [chunk({ refusal: 'I cannot ' }), chunk({ refusal: 'help with that.' }), chunk({}, 'stop')]);
    const events = await sdkEvents(frames, params);
    expect(events.filter((event) => event.type.startsWith('response.refusal')).map((event) => event.type)).toEqual(['response.refusal.delta', 'response.refusal.delta', 'response.refusal.done']);
    const final = await clientFor(frames).responses.stream(params).finalResponse();
    expect(final.output[0]).toMatchObject({ type: 'message', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] });
  });

  it('sends nothing after the stream has ended', () => {
    const { encoder } = encode(params, textChunks);
    expect(encoder.push(chunk({ content: 'late' }))).toBe('');
    expect(encoder.finish()).toBe('');
    expect(encoder.fail(new UpstreamConnectionError('openai', 'reset'))).toBe('');
  });
});

describe('streaming tool calls', () => {
  const params = {
    model: 'gpt-4o-mini',
    input: 'Weather in Paris and Rome?',
    stream: true as const,
    tools: [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }],
  };

  it('streams each call as a function_call item with argument deltas, closing one before the next opens', async () => {
    const { frames } = encode(params, toolChunks);
    const events = await sdkEvents(frames, params);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const added = events[2] as OpenAI.Responses.ResponseOutputItemAddedEvent;
    expect(added.item).toMatchObject({ type: 'function_call', status: 'in_progress', call_id: 'call_paris', name: 'get_weather', arguments: '' });
    expect(events[5]).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}', output_index: 0 });
  });

  it('gives responses.stream the calls with their full arguments and the upstream call ids', async () => {
    const { frames } = encode(params, toolChunks);
    const stream = clientFor(frames).responses.stream(params);
    const argumentSnapshots: string[] = [];
    stream.on('response.function_call_arguments.delta', (event) => argumentSnapshots.push(event.snapshot));
    const final = await stream.finalResponse();
    expect(argumentSnapshots).toEqual(['{"city":', '{"city":"Paris"}', '{"city":"Rome"}']);
    expect(final.output).toEqual([
      { id: expect.stringMatching(/^fc_/), type: 'function_call', status: 'completed', call_id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}', parsed_arguments: null },
      { id: expect.stringMatching(/^fc_/), type: 'function_call', status: 'completed', call_id: 'call_rome', name: 'get_weather', arguments: '{"city":"Rome"}', parsed_arguments: null },
    ]);
    expect(final.output_text).toBe('');
  });

  it('puts text said before a call in its own message item first', async () => {
    const { frames } = encode(params, [chunk({ content: 'Checking.' }), ...toolChunks]);
    const final = await clientFor(frames).responses.stream(params).finalResponse();
    expect(final.output.map((item) => item.type)).toEqual(['message', 'function_call', 'function_call']);
    expect(final.output_text).toBe('Checking.');
  });

  it('names a call the upstream gave no id', async () => {
    const { frames } = encode(params, [chunk({ tool_calls: [{ index: 0, function: { name: 'get_weather', arguments: '{}' } }] }), chunk({}, 'tool_calls')]);
    const final = await clientFor(frames).responses.stream(params).finalResponse();
    expect(final.output[0]).toMatchObject({ type: 'function_call', call_id: expect.stringMatching(/^call_[0-9a-f]{24}$/) });
  });
});

describe('streaming a JSON-schema answer', () => {
  it('lets responses.stream parse the answer into output_parsed', async () => {
    const Answer = z.object({ city: z.string(), celsius: z.number() });
    const params = { model: 'gpt-4o-mini', input: 'Warmest city?', text: { format: zodTextFormat(Answer, 'weather') } };
    const { frames } = encode({ ...params, stream: true }, [chunk({ content: '{"city":"Rome",' }), chunk({ content: '"celsius":24}' }), chunk({}, 'stop'), usageChunk()]);
    const final = await clientFor(frames).responses.stream(params).finalResponse();
    expect(final.output_parsed).toEqual({ city: 'Rome', celsius: 24 });
    expect(final.text?.format).toMatchObject({ type: 'json_schema', name: 'weather' });
  });
});

describe('a stream that fails midway', () => {
  const params = { model: 'my-route', input: 'Say hello', stream: true as const };
  const failure = new UpstreamConnectionError('anthropic', 'the connection was reset');
  const partial = [chunk({ content: 'Hel' })];

  it('ends with response.failed carrying the error and the output so far, then an error event', () => {
    const { frames } = encode(params, partial, { fail: failure });
    const events = frames.join('').split('\n\n').filter(Boolean).map((block) => JSON.parse(block.split('\n')[1]!.slice('data: '.length)));
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.failed',
      'error',
    ]);
    const failed = events[5];
    expect(failed.response.status).toBe('failed');
    expect(failed.response.error).toEqual({ code: 'server_error', message: failure.message });
    expect(failed.response.output[0]).toMatchObject({ status: 'incomplete', content: [{ type: 'output_text', text: 'Hel' }] });
    expect(events[6]).toEqual({
      type: 'error',
      sequence_number: 6,
      code: 'upstream_connection_error',
      message: failure.message,
      param: null,
      error: { type: 'api_error', code: 'upstream_connection_error', message: failure.message, param: null },
    });
  });

  it('makes responses.stream reject with the message, after the deltas that did arrive', async () => {
    const { frames } = encode(params, partial, { fail: failure });
    const stream = clientFor(frames).responses.stream(params);
    const seen: string[] = [];
    stream.on('event', (event) => seen.push(event.type));
    const outcome = await stream.finalResponse().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(OpenAI.APIError);
    expect((outcome as InstanceType<typeof OpenAI.APIError>).message).toContain('the connection was reset');
    expect(seen).toContain('response.output_text.delta');
    expect(seen).toContain('response.failed');
  });

  it('makes an iterated create({stream: true}) throw after yielding response.failed', async () => {
    const { frames } = encode(params, partial, { fail: failure });
    const types: string[] = [];
    const iterate = async () => {
      for await (const event of await clientFor(frames).responses.create(params)) types.push(event.type);
    };
    await expect(iterate()).rejects.toThrow(/the connection was reset/);
    expect(types.at(-1)).toBe('response.failed');
  });

  it('reports a rate limit as rate_limit_exceeded in the failed response', () => {
    const { echo } = decodeResponsesRequest(parseResponsesRequest(params));
    const encoder = new ResponseStreamEncoder(echo);
    encoder.fail({ message: 'slow down', code: 'rate_limit_exceeded', type: 'rate_limit_error', status: 429 });
    expect(encoder.response.error).toEqual({ code: 'rate_limit_exceeded', message: 'slow down' });
  });
});
