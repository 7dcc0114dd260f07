/**
 * `x-switchboard-cost-estimated: true` on every kind of answer whose cost is not exact: a model
 * with no known price (JSON, streams on each surface, embeddings), and embeddings whose upstream
 * reports no usage (counted by the gateway rather than billed $0).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream, type FakeHandler } from '../testing/fake-upstream.js';
import { healthy } from '../testing/faults.js';
import { getJson } from '../testing/http.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

let upstream: FakeUpstream;
let harness: TestGateway;

function embeddingsOr(chat: FakeHandler, usage: boolean): FakeHandler {
  return (request) => {
    if (!request.path.endsWith('/embeddings')) return chat(request);
    const embedding = request.body.encoding_format === 'base64' ? Buffer.from(new Float32Array([0.5, 0.25]).buffer).toString('base64') : [0.5, 0.25];
    return { json: { object: 'list', data: [{ object: 'embedding', index: 0, embedding }], model: request.body.model, ...(usage ? { usage: { prompt_tokens: 3, total_tokens: 3 } } : {}) } };
  };
}

beforeAll(async () => {
  upstream = await FakeUpstream.start(embeddingsOr(healthy, true));
  harness = await startTestGateway({
    models: [
      // Neither the catalog nor the config prices our-finetune-v3.
      { name: 'house-model', provider: 'openai-compatible', base_url: `${upstream.url}/v1`, model: 'our-finetune-v3' },
      { name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream' },
      { name: 'text-embedding-3-small', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream' },
    ],
  });
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

afterEach(() => upstream.setHandler(embeddingsOr(healthy, true)));

async function lastRecord(): Promise<Record<string, unknown>> {
  await new Promise((resolve) => setTimeout(resolve, 60));
  return (await getJson(`${harness.url}/api/requests?limit=1`)).data[0];
}

describe('x-switchboard-cost-estimated', () => {
  it('marks a stream from a model with no price, in its headers and its log record', async () => {
    const { data: stream, response } = await harness.client.chat.completions
      .create({ model: 'house-model', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .withResponse();
    expect(response.headers.get('x-switchboard-cost-estimated')).toBe('true');
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello there!');
    expect(await lastRecord()).toMatchObject({ served_model: 'house-model', cost_usd: 0, cost_estimated: true });
  });

  it('does not mark a stream from a priced model', async () => {
    const { data: stream, response } = await harness.client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } })
      .withResponse();
    expect(response.headers.get('x-switchboard-cost-estimated')).toBeNull();
    for await (const _chunk of stream);
    expect(await lastRecord()).toMatchObject({ served_model: 'gpt-4o-mini', cost_estimated: false });
  });

  it('marks streams of an unpriced model on /v1/responses and /v1/messages too', async () => {
    const { response: responsesStream } = await harness.client.responses.create({ model: 'house-model', input: 'Hi', stream: true }).withResponse();
    expect(responsesStream.headers.get('x-switchboard-cost-estimated')).toBe('true');
    await responsesStream.text();
    const messagesStream = await fetch(`${harness.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'none', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'house-model', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(messagesStream.status).toBe(200);
    expect(messagesStream.headers.get('x-switchboard-cost-estimated')).toBe('true');
    expect(await messagesStream.text()).toContain('event: message_stop');
  });

  it('marks embeddings from a model with no price, and not those from a priced one', async () => {
    const unpriced = await harness.client.embeddings.create({ model: 'house-model', input: 'hello' }).withResponse();
    expect(unpriced.response.headers.get('x-switchboard-cost-estimated')).toBe('true');
    expect(unpriced.response.headers.get('x-switchboard-cost-usd')).toBe('0.00000000');
    expect(await lastRecord()).toMatchObject({ surface: 'embeddings', prompt_tokens: 3, cost_estimated: true });

    const priced = await harness.client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' }).withResponse();
    expect(priced.response.headers.get('x-switchboard-cost-estimated')).toBeNull();
    expect(Number(priced.response.headers.get('x-switchboard-cost-usd'))).toBeGreaterThan(0);
    expect(await lastRecord()).toMatchObject({ surface: 'embeddings', prompt_tokens: 3, cost_estimated: false });
  });

  it('counts the input of embeddings whose upstream reports no usage, and marks the cost estimated rather than billing $0', async () => {
    upstream.setHandler(embeddingsOr(healthy, false));
    const { response } = await harness.client.embeddings.create({ model: 'text-embedding-3-small', input: ['the quick brown fox', 'jumps over the lazy dog'] }).withResponse();
    expect(response.headers.get('x-switchboard-cost-estimated')).toBe('true');
    expect(Number(response.headers.get('x-switchboard-cost-usd'))).toBeGreaterThan(0);
    const record = await lastRecord();
    expect(record).toMatchObject({ surface: 'embeddings', cost_estimated: true });
    expect(record.prompt_tokens).toBeGreaterThanOrEqual(8);
  });
});
