/**
 * Output caps through real HTTP: a model's and a key's `max_output_tokens` clamp what the
 * upstream is asked for, say so in a header, and the budget reservation uses the capped value.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { ADMIN_KEY, clientFor, createKey, tryChat } from '../testing/governance-test-helpers.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

let upstream: FakeUpstream;
let anthropicUpstream: FakeUpstream;
let harness: TestGateway;

beforeAll(async () => {
  upstream = await FakeUpstream.start(() => openAICompletion({ completionTokens: 5 }));
  anthropicUpstream = await FakeUpstream.start((request) => ({
    json: { id: 'msg_1', type: 'message', role: 'assistant', model: request.body.model, content: [{ type: 'text', text: 'Hi.' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 10, output_tokens: 2 } },
  }));
  harness = await startTestGateway({
    admin_key: ADMIN_KEY,
    models: [
      { name: 'capped', provider: 'openai', model: 'gpt-4o', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', price: { input: 2.5, output: 10 }, max_output_tokens: 4096 },
      { name: 'uncapped', provider: 'openai', model: 'gpt-4o', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', price: { input: 2.5, output: 10 } },
      { name: 'claude', provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', base_url: anthropicUpstream.url, api_key: 'sk-ant', price: { input: 3, output: 15 }, max_output_tokens: 1000 },
    ],
  });
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
  await anthropicUpstream.close();
});

describe('output caps', () => {
  it("clamps max_tokens and max_completion_tokens to the model's cap and says so", async () => {
    const client = clientFor(harness.url, ADMIN_KEY);
    const clamped = await client.chat.completions.create({ model: 'capped', max_completion_tokens: 32000, messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(clamped.response.headers.get('x-switchboard-max-tokens')).toBe('4096 (requested 32000)');
    expect(upstream.lastRequest.body.max_completion_tokens).toBe(4096);

    const set = await client.chat.completions.create({ model: 'capped', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(set.response.headers.get('x-switchboard-max-tokens')).toBe('4096 (requested none)');
    expect(upstream.lastRequest.body.max_tokens).toBe(4096);

    const within = await client.chat.completions.create({ model: 'capped', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(within.response.headers.get('x-switchboard-max-tokens')).toBeNull();
    expect(upstream.lastRequest.body.max_tokens).toBe(100);
  });

  it('leaves the cache out of the pipeline when no config turns it on', async () => {
    expect(harness.gateway.pipelines.chatStages).toEqual(['output cap', 'admit', 'guard input', 'fit context', 'check output', 'route', 'execute']);
    const { response } = await clientFor(harness.url, ADMIN_KEY).chat.completions.create({ model: 'uncapped', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    expect(response.headers.get('x-switchboard-cache')).toBeNull();
  });

  it("takes the lowest of the key's and the model's caps, and reserves the budget for the capped output", async () => {
    // 32,000 output tokens at $10/1M would need a $0.32 reservation; the $0.01 budget admits 200.
    const limited = await createKey(harness.url, { name: 'capped-key', budget_usd: 0.01, max_output_tokens: 200 });
    const plain = await createKey(harness.url, { name: 'plain-key', budget_usd: 0.01 });
    const refused = await tryChat(clientFor(harness.url, plain.key), 'uncapped', 32000);
    expect(refused).toMatchObject({ ok: false, status: 429, code: 'budget_exceeded' });
    const admitted = await tryChat(clientFor(harness.url, limited.key), 'uncapped', 32000);
    expect(admitted.ok).toBe(true);
    expect(admitted.headers!.get('x-switchboard-max-tokens')).toBe('200 (requested 32000)');
    expect(upstream.lastRequest.body.max_tokens).toBe(200);
    const lower = await tryChat(clientFor(harness.url, limited.key), 'capped', 32000);
    expect(lower.headers!.get('x-switchboard-max-tokens')).toBe('200 (requested 32000)');
  });

  it('clamps a /v1/messages request and still passes it through natively', async () => {
    const anthropic = new Anthropic({ baseURL: harness.url, apiKey: ADMIN_KEY, maxRetries: 0 });
    const { response } = await anthropic.messages.create({ model: 'claude', max_tokens: 8000, messages: [{ role: 'user', content: 'Hi' }], ...({ top_k: 5 } as object) }).withResponse();
    expect(response.headers.get('x-switchboard-max-tokens')).toBe('1000 (requested 8000)');
    expect(anthropicUpstream.lastRequest.body).toMatchObject({ max_tokens: 1000, top_k: 5 });
  });
});
