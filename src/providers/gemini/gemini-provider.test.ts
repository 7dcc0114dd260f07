/**
 * End to end: the official `openai` client → a real gateway → this adapter → a fake Gemini
 * server replaying recorded response shapes.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream, type FakeReply } from '../../testing/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../../testing/test-gateway.js';

/** Catalog price of gemini-2.5-flash, USD per 1M tokens. */
const PRICE = { input: 0.3, output: 2.5, cached_input: 0.03 };

function fixtureText(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}
const json = (name: string, status = 200): FakeReply => ({ status, json: JSON.parse(fixtureText(name)) });
/** A recorded stream, sent byte for byte as Google framed it (CRLF line ends). */
const recordedStream = (name: string): FakeReply => ({ raw: fixtureText(name), headers: { 'content-type': 'text/event-stream' } });

let upstream: FakeUpstream;
let harness: TestGateway;

beforeAll(async () => {
  upstream = await FakeUpstream.start(() => json('gemini-text.json'));
  harness = await startTestGateway({
    models: [
      { name: 'gemini-flash', provider: 'gemini', model: 'gemini-2.5-flash', base_url: upstream.url, api_key: 'goog-test-key' },
      // A second deployment for the rate-limit test: a 429 with a retry delay cools its deployment down.
      { name: 'gemini-flash-limited', provider: 'gemini', model: 'gemini-2.5-flash', base_url: upstream.url, api_key: 'goog-test-key' },
      { name: 'gemini-embedding', provider: 'gemini', model: 'text-embedding-004', base_url: upstream.url, api_key: 'goog-test-key' },
    ],
    timeouts: { connect_ms: 1000, first_token_ms: 1000, total_ms: 3000 },
    retry: { attempts: 1 },
  });
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

afterEach(() => upstream.setHandler(() => json('gemini-text.json')));

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } },
};

describe('Gemini through the gateway, non-streaming', () => {
  it('calls generateContent with the API key header and prices thinking tokens as output', async () => {
    const response = await harness.client.chat.completions
      .create({ model: 'gemini-flash', messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: 'How many r in strawberry?' }], temperature: 0.3, max_tokens: 400, seed: 42 })
      .withResponse();
    const request = upstream.lastRequest;
    expect(request.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(request.headers['x-goog-api-key']).toBe('goog-test-key');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [{ role: 'user', parts: [{ text: 'How many r in strawberry?' }] }],
      generationConfig: { temperature: 0.3, maxOutputTokens: 400, seed: 42 },
    });
    expect(response.data.choices[0]).toMatchObject({ message: { role: 'assistant', content: 'There are **3** "r"s in strawberry.' }, finish_reason: 'stop' });
    expect(response.data.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 294, completion_tokens_details: { reasoning_tokens: 282 } });
    expect(response.response.headers.get('x-switchboard-provider')).toBe('gemini');
    expect(Number(response.response.headers.get('x-switchboard-cost-usd'))).toBeCloseTo((9 * PRICE.input + 294 * PRICE.output) / 1e6, 12);
  });

  it('prices cached content tokens at the cached-input rate', async () => {
    upstream.setHandler(() => json('gemini-cached-content.json'));
    const response = await harness.client.chat.completions.create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'Main finding?' }] }).withResponse();
    const expected = ((4207 - 4096) * PRICE.input + 4096 * PRICE.cached_input + 61 * PRICE.output) / 1e6;
    expect(Number(response.response.headers.get('x-switchboard-cost-usd'))).toBeCloseTo(expected, 12);
  });

  it('returns function calls as tool_calls, and sends the result back as a functionResponse with the signature kept', async () => {
    upstream.setHandler(() => json('gemini-tool-call.json'));
    const first = await harness.client.chat.completions.create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'Weather in SF?' }], tools: [weatherTool], tool_choice: 'required' });
    expect(upstream.lastRequest.body.tools).toEqual([{ functionDeclarations: [{ name: 'get_weather', description: 'Current weather', parametersJsonSchema: weatherTool.function.parameters }] }]);
    expect(upstream.lastRequest.body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    const message = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    const call = message.tool_calls![0]!;
    expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco"}' } });
    expect(call.id).toMatch(/^call_[0-9a-f]{24}$/);

    upstream.setHandler(() => json('gemini-text.json'));
    await harness.client.chat.completions.create({
      model: 'gemini-flash',
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in SF?' }, message, { role: 'tool', tool_call_id: call.id, content: '{"celsius":18}' }],
    });
    expect(upstream.lastRequest.body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in SF?' }] },
      {
        role: 'model',
        parts: [{ functionCall: { name: 'get_weather', args: { location: 'San Francisco' } }, thoughtSignature: 'CskgAb4+9vtF7/499YQS2bjZs3xcQI+iAl+ILn29nK1j0Kg6su7QsUUUk3nrAAfnS2w5WiVvlcCqu9fAebJ2cvfaEyBahEt5' }],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { celsius: 18 } } }] },
    ]);
  });

  it('asks for JSON with responseMimeType and responseJsonSchema', async () => {
    upstream.setHandler(() => ({ json: { ...JSON.parse(fixtureText('gemini-text.json')), candidates: [{ content: { parts: [{ text: '{"answer":3}' }], role: 'model' }, finishReason: 'STOP', index: 0 }] } }));
    const schema = { type: 'object', properties: { answer: { type: 'integer' } }, required: ['answer'], additionalProperties: false };
    const completion = await harness.client.chat.completions.create({
      model: 'gemini-flash',
      messages: [{ role: 'user', content: 'How many r?' }],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } },
    });
    expect(upstream.lastRequest.body.generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ answer: 3 });
  });

  it('sends image parts as inlineData and fileData', async () => {
    await harness.client.chat.completions.create({
      model: 'gemini-flash',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }],
    });
    expect(upstream.lastRequest.body.contents[0].parts).toEqual([
      { text: 'What is this?' },
      { inlineData: { mimeType: 'image/jpeg', data: '/9j/4AAQ' } },
      { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/a.png' } },
    ]);
  });

  it('answers a blocked prompt with finish_reason content_filter', async () => {
    upstream.setHandler(() => json('gemini-prompt-blocked.json'));
    const completion = await harness.client.chat.completions.create({ model: 'gemini-flash', messages: [{ role: 'user', content: '…' }] });
    expect(completion.choices[0]).toMatchObject({ message: { content: null }, finish_reason: 'content_filter' });
  });
});

describe('Gemini through the gateway, streaming', () => {
  it('calls streamGenerateContent?alt=sse and streams text with a final usage chunk', async () => {
    upstream.setHandler(() => recordedStream('gemini-text.chunks.txt'));
    const stream = await harness.client.chat.completions.create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'How many r?' }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(upstream.lastRequest.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(upstream.lastRequest.query.get('alt')).toBe('sse');
    expect(upstream.lastRequest.body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'How many r?' }] }] });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('There are **3** "r"s in strawberry.');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 197, total_tokens: 206 });
  });

  it('streams function calls as tool-call deltas', async () => {
    upstream.setHandler(() => recordedStream('gemini-tool-call.chunks.txt'));
    const stream = await harness.client.chat.completions.create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'Weather and time in SF?' }], tools: [weatherTool], stream: true });
    const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
    let finishReason: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = (calls[delta.index] ??= { arguments: '' });
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.name = delta.function.name;
        call.arguments += delta.function?.arguments ?? '';
      }
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
    }
    expect(calls).toEqual([
      { id: expect.stringMatching(/^call_/), name: 'get_weather', arguments: '{"location":"San Francisco"}' },
      { id: expect.stringMatching(/^call_/), name: 'get_time', arguments: '{"timezone":"America/Los_Angeles"}' },
    ]);
    expect(finishReason).toBe('tool_calls');
  });

  it('ends the stream with an error when an error event arrives mid-stream', async () => {
    const first = fixtureText('gemini-text.chunks.txt').split('\r\n\r\n')[0]!.replace(/^data: /, '');
    upstream.setHandler(() => ({ sse: [first, JSON.stringify({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } })] }));
    const stream = await harness.client.chat.completions.create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'How many r?' }], stream: true });
    const failure = (async () => {
      for await (const chunk of stream) void chunk;
    })();
    await expect(failure).rejects.toThrow(/overloaded/);
  });

  it('reports a stream cut off before any finish reason', async () => {
    const first = fixtureText('gemini-text.chunks.txt').split('\r\n\r\n')[0]!.replace(/^data: /, '');
    upstream.setHandler(() => ({ sse: [first] }));
    const stream = await harness.client.chat.completions.create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'How many r?' }], stream: true });
    const failure = (async () => {
      for await (const chunk of stream) void chunk;
    })();
    await expect(failure).rejects.toThrow(/without a finish reason/);
  });
});

describe('Gemini errors through the gateway', () => {
  it('keeps an upstream 400 with Google’s message', async () => {
    upstream.setHandler(() => json('gemini-invalid-api-key-error.json', 400));
    const error = await harness.client.chat.completions.create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({ message: 'API key not valid. Please pass a valid API key.', type: 'invalid_request_error' });
  });

  it('keeps a 429 and turns RetryInfo’s retryDelay into retry-after', async () => {
    upstream.setHandler(() => json('gemini-rate-limit-error.json', 429));
    const error = (await harness.client.chat.completions.create({ model: 'gemini-flash-limited', messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers.get('retry-after')).toBe('35');
  });

  it('turns a 503 into a 502', async () => {
    upstream.setHandler(() => json('gemini-unavailable-error.json', 503));
    const error = (await harness.client.chat.completions.create({ model: 'gemini-flash', messages: [{ role: 'user', content: 'Hi' }] }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(error.message).toContain('The model is overloaded');
  });
});

describe('Gemini embeddings through the gateway', () => {
  it('calls batchEmbedContents and answers in OpenAI’s shape', async () => {
    upstream.setHandler(() => json('gemini-batch-embed.json'));
    const response = await harness.client.embeddings.create({ model: 'gemini-embedding', input: ['hello world', 'good night'], dimensions: 4, encoding_format: 'float' });
    expect(upstream.lastRequest.path).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
    expect(upstream.lastRequest.body).toEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'hello world' }] }, outputDimensionality: 4 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'good night' }] }, outputDimensionality: 4 },
      ],
    });
    expect(response.data).toEqual([
      { object: 'embedding', index: 0, embedding: [0.013168523, -0.008711934, -0.046782676, 0.00069968984] },
      { object: 'embedding', index: 1, embedding: [-0.0045422213, 0.0050962223, -0.037120242, 0.018357463] },
    ]);
    expect(response.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('encodes embeddings as little-endian float32 base64 when asked', async () => {
    upstream.setHandler(() => json('gemini-batch-embed.json'));
    const response = await harness.client.embeddings.create({ model: 'gemini-embedding', input: ['hello world', 'good night'] });
    // The openai client asks for base64 by default and decodes it back to floats.
    expect(response.data[0]!.embedding[0]).toBeCloseTo(0.013168523, 6);
    expect(response.data[1]!.embedding[3]).toBeCloseTo(0.018357463, 6);
  });
});
