/**
 * The semantic layer end to end with the local (in-process) embedder: a paraphrase is served the
 * stored answer, a different question, a different system prompt, a long conversation and an
 * answer that calls tools are not.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { getJson } from '../testing/http.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

let upstream: FakeUpstream;
let harness: TestGateway;

beforeAll(async () => {
  upstream = await FakeUpstream.start((request) =>
    request.body.tools ? openAICompletion({ toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"city":"Paris"}' }] }) : openAICompletion({ content: `Answer #${upstream.requests.length}` }),
  );
  harness = await startTestGateway({
    cache: { enabled: true, semantic: { enabled: true, threshold: 0.95, embedding: 'local', max_messages: 3 } },
    models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', price: { input: 1, output: 2 } }],
  });
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

beforeEach(() => {
  upstream.requests.length = 0;
});

async function ask(messages: OpenAI.ChatCompletionMessageParam[], extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) {
  const { data, response } = await harness.client.chat.completions.create({ model: 'gpt-4o-mini', messages, ...extra }).withResponse();
  return { content: data.choices[0]!.message.content, status: response.headers.get('x-switchboard-cache'), similarity: response.headers.get('x-switchboard-cache-similarity') };
}

describe('semantic cache', () => {
  it('serves a paraphrase the stored answer, with its similarity, and a different question nothing', async () => {
    const system = { role: 'system' as const, content: 'You are a geography tutor.' };
    const first = await ask([system, { role: 'user', content: 'What is the capital of France?' }]);
    const paraphrase = await ask([system, { role: 'user', content: "What's France's capital city?" }]);
    expect(first.status).toBe('MISS');
    expect(paraphrase.status).toBe('SEMANTIC_HIT');
    expect(paraphrase.content).toBe(first.content);
    expect(Number(paraphrase.similarity)).toBeGreaterThanOrEqual(0.95);
    expect(Number(paraphrase.similarity)).toBeLessThan(1);
    const other = await ask([system, { role: 'user', content: 'What is the capital of Germany?' }]);
    expect(other.status).toBe('MISS');
    expect(upstream.requests).toHaveLength(2);
    await harness.gateway.logWriter.flush();
  });

  it('never matches across different system prompts or other request fields', async () => {
    await ask([{ role: 'system', content: 'Answer in French.' }, { role: 'user', content: 'How do I reverse a list in Python?' }]);
    const otherInstructions = await ask([{ role: 'system', content: 'Answer in German.' }, { role: 'user', content: 'How can I reverse a Python list?' }]);
    expect(otherInstructions.status).toBe('MISS');
    const otherTemperature = await ask([{ role: 'system', content: 'Answer in French.' }, { role: 'user', content: 'How can I reverse a Python list?' }], { temperature: 1.5 });
    expect(otherTemperature.status).toBe('MISS');
    const same = await ask([{ role: 'system', content: 'Answer in French.' }, { role: 'user', content: 'How can I reverse a Python list?' }]);
    expect(same.status).toBe('SEMANTIC_HIT');
    expect(upstream.requests).toHaveLength(3);
  });

  it('skips conversations longer than max_messages and answers that call tools', async () => {
    const history: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'I am planning a trip.' },
      { role: 'assistant', content: 'Nice.' },
    ];
    await ask([...history, { role: 'user', content: 'Which city is the capital of Spain?' }]);
    expect((await ask([...history, { role: 'user', content: "What's Spain's capital city?" }])).status).toBe('MISS');

    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    await ask([{ role: 'user', content: 'Look up the weather in Paris.' }], { tools });
    expect((await ask([{ role: 'user', content: 'Look up the weather for Paris.' }], { tools })).status).toBe('MISS');
    // The exact layer still serves the identical request.
    expect((await ask([{ role: 'user', content: 'Look up the weather in Paris.' }], { tools })).status).toBe('HIT');
    expect(upstream.requests).toHaveLength(4);
  });
});

describe('semantic cache with a configured embedding model', () => {
  it('embeds through the gateway with the named model and matches by its vectors', async () => {
    // The fake embedding model maps any question about France to one direction and anything else to another.
    const embeddings = await FakeUpstream.start((request) => {
      if (request.path === '/v1/embeddings') {
        const france = /france/i.test(String(request.body.input));
        return { json: { object: 'list', model: 'text-embedding-3-small', data: [{ object: 'embedding', index: 0, embedding: france ? [3, 4, 0] : [0, 0, 2] }], usage: { prompt_tokens: 5, total_tokens: 5 } } };
      }
      return openAICompletion({ content: `Answer #${embeddings.requests.length}` });
    });
    const gateway = await startTestGateway({
      cache: { enabled: true, semantic: { enabled: true, embedding: 'embedder' } },
      models: [
        { name: 'gpt-4o-mini', provider: 'openai', base_url: `${embeddings.url}/v1`, api_key: 'sk-upstream' },
        { name: 'embedder', provider: 'openai', model: 'text-embedding-3-small', base_url: `${embeddings.url}/v1`, api_key: 'sk-upstream', price: { input: 0.02, output: 0 } },
      ],
    });
    try {
      const ask = (content: string) => gateway.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }).withResponse();
      expect((await ask('Capital of France?')).response.headers.get('x-switchboard-cache')).toBe('MISS');
      const near = await ask('Which city governs France?');
      expect(near.response.headers.get('x-switchboard-cache')).toBe('SEMANTIC_HIT');
      expect(near.response.headers.get('x-switchboard-cache-similarity')).toBe('1.0000');
      // The hit's one cost is its embedding call: one of its attempts, billed with it.
      await gateway.gateway.logWriter.flush();
      const [hit] = (await getJson(`${gateway.url}/api/requests?limit=1`)).data;
      expect(hit.cache_status).toBe('SEMANTIC_HIT');
      expect(hit.cost_usd).toBeCloseTo((5 * 0.02) / 1e6, 15);
      expect(hit.attempts).toMatchObject([{ model: 'embedder', status: 200, prompt_tokens: 5 }]);
      expect((await ask('Capital of Spain?')).response.headers.get('x-switchboard-cache')).toBe('MISS');
      const paths = embeddings.requests.map((request) => `${request.path} ${request.body.model}`);
      // One embedding per question, reused between its lookup and its store.
      expect(paths.filter((path) => path.startsWith('/v1/embeddings'))).toEqual(Array(3).fill('/v1/embeddings text-embedding-3-small'));
      expect(paths.filter((path) => path.startsWith('/v1/chat/completions'))).toHaveLength(2);
    } finally {
      await gateway.close();
      await embeddings.close();
    }
  });
});
