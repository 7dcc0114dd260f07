import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UpstreamHttpError, UpstreamMalformedResponseError } from '../../errors/index.js';
import type { ChatCompletionChunk } from '../../protocol/chat-types.js';
import type { UpstreamResponse } from '../shared/http-client.js';
import { readServerSentEvents } from '../shared/sse-parser.js';
import { GeminiStreamMapper } from './stream-mapping.js';

const CREATED = 1_760_000_000;
const TIMEOUTS = { connectMs: 1000, firstTokenMs: 1000, totalMs: 5000 };

function newMapper(): GeminiStreamMapper {
  let next = 0;
  return new GeminiStreamMapper({ provider: 'gemini', created: CREATED, model: 'gemini-2.5-flash', createId: () => `call_${++next}` });
}

/** Runs a recorded stream, byte for byte (CRLF framing included), through the real SSE parser and the mapper. */
async function mapRecordedStream(name: string): Promise<ChatCompletionChunk[]> {
  const bytes = readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
  const response = { status: 200, headers: {}, body: Readable.from([bytes]) } as unknown as UpstreamResponse;
  const mapper = newMapper();
  const chunks: ChatCompletionChunk[] = [];
  for await (const event of readServerSentEvents(response, { provider: 'gemini', timeouts: TIMEOUTS })) chunks.push(...mapper.map(JSON.parse(event.data)));
  chunks.push(mapper.finish());
  return chunks;
}

function chunk(id: string, delta: object, finishReason: string | null = null) {
  return { id, object: 'chat.completion.chunk', created: CREATED, model: 'gemini-2.5-flash', choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

describe('GeminiStreamMapper', () => {
  it('turns streamed responses into content chunks, a finish chunk and the last usage', async () => {
    const id = 'bH6LaZW8Fp_3nsEPqtaSwQ4';
    expect(await mapRecordedStream('gemini-text.chunks.txt')).toEqual([
      chunk(id, { role: 'assistant', content: '' }),
      chunk(id, { content: 'There are **3**' }),
      chunk(id, { content: ' "r"s in strawberry.' }),
      chunk(id, {}, 'stop'),
      {
        id, object: 'chat.completion.chunk', created: CREATED, model: 'gemini-2.5-flash', choices: [],
        usage: { prompt_tokens: 9, completion_tokens: 12 + 185, total_tokens: 206, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 185 } },
      },
    ]);
  });

  it('sends each function call as one tool-call delta with index, id, name and whole arguments', async () => {
    const id = 'b36LacjwM668nsEP2tbsgQQ';
    const chunks = await mapRecordedStream('gemini-tool-call.chunks.txt');
    expect(chunks.slice(0, 4)).toEqual([
      chunk(id, { role: 'assistant', content: '' }),
      chunk(id, {
        tool_calls: [{
          index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco"}' },
          extra_content: { google: { thought_signature: 'EqUCCqICAb4+9vsh8Pd5taZVoPzSvjWWwzBrvhEQWBLCGa7IdY8FBMm7Z6dCKFU3Ft0la15gF7RaHe1NlPRygQec0bFwPDfMwGcUOMNiJiNIKxusCs4ejCZRuouNYQ4e' } },
        }],
      }),
      chunk(id, { tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{"timezone":"America/Los_Angeles"}' } }] }),
      chunk(id, {}, 'tool_calls'),
    ]);
    expect(chunks[4]!.usage).toMatchObject({ prompt_tokens: 29, completion_tokens: 60 });
  });

  it('ends with content_filter when the prompt is blocked', () => {
    const mapper = newMapper();
    const chunks = mapper.map({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 }, modelVersion: 'gemini-2.5-flash', responseId: 'r1' });
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('content_filter');
    expect(mapper.finish().usage).toMatchObject({ prompt_tokens: 9 });
  });

  it('throws the upstream error an event carries', () => {
    const mapper = newMapper();
    expect(() => mapper.map({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } })).toThrow(UpstreamHttpError);
  });

  it('reports a stream that ends without a finish reason as truncated', () => {
    const mapper = newMapper();
    mapper.map({ candidates: [{ content: { parts: [{ text: 'Hal' }], role: 'model' }, index: 0 }], responseId: 'r1' });
    expect(() => mapper.finish()).toThrow(UpstreamMalformedResponseError);
  });
});

describe('GeminiStreamMapper with several candidates', () => {
  it('opens each choice with a role chunk and keeps candidates apart by index', () => {
    const mapper = newMapper();
    const chunks = mapper.map({
      candidates: [
        { content: { parts: [{ text: 'A' }], role: 'model' }, finishReason: 'STOP', index: 0 },
        { content: { parts: [{ text: 'B' }], role: 'model' }, finishReason: 'MAX_TOKENS', index: 1 },
      ],
      responseId: 'r2',
      modelVersion: 'gemini-2.5-flash',
    });
    expect(chunks.map((item) => [item.choices[0]!.index, item.choices[0]!.delta, item.choices[0]!.finish_reason])).toEqual([
      [0, { role: 'assistant', content: '' }, null],
      [0, { content: 'A' }, null],
      [0, {}, 'stop'],
      [1, { role: 'assistant', content: '' }, null],
      [1, { content: 'B' }, null],
      [1, {}, 'length'],
    ]);
  });
});
