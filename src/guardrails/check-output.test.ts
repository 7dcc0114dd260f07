/**
 * The check output stage end to end: the official `openai` client → a real gateway → a fake
 * OpenAI upstream whose answers are scripted per call, so each test sees exactly which calls
 * the gateway made (first answer, repair turn, escalation) and what each cost.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { ADMIN_KEY, adminRequest, clientFor, createKey } from '../testing/governance-test-helpers.js';
import { openAICompletion, openAIError, openAIStream } from '../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

const personSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
  required: ['name', 'age'],
  additionalProperties: false,
};
const responseFormat = { type: 'json_schema' as const, json_schema: { name: 'person', schema: personSchema, strict: true } };
const VALID = '{"name":"Ada","age":36}';
const WRONG_TYPE = '{"name":1,"age":36}';
const NOT_JSON = 'Sure! Ada is 36.';
/** A script entry the upstream answers with a 500 instead of content. */
const UPSTREAM_ERROR = '<500>';

// $ per million tokens: weak 1 in / 2 out, strong 10 in / 20 out. Each upstream call reports 100 + 50 tokens.
const WEAK_CALL_USD = (100 * 1 + 50 * 2) / 1e6;
const STRONG_CALL_USD = (100 * 10 + 50 * 20) / 1e6;

let upstream: FakeUpstream;
let harness: TestGateway;
let client: OpenAI;
/** The contents the upstream answers with, one per call, in order. */
let script: string[];

async function loggedRecord(requestId: string): Promise<Record<string, any>> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const response = await adminRequest(harness.url, 'GET', `/api/requests/${requestId}`);
    if (response.status === 200) return response.body;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  throw new Error(`request ${requestId} never reached the log`);
}

function person(model: string, extra: Record<string, unknown> = {}) {
  return client.chat.completions.create({ model, max_tokens: 200, messages: [{ role: 'user', content: 'Who wrote the first program? JSON please.' }], response_format: responseFormat, ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse();
}

beforeAll(async () => {
  upstream = await FakeUpstream.start((request) => {
    const content = script.shift() ?? VALID;
    if (content === UPSTREAM_ERROR) return openAIError(500, 'The server had an error while processing your request.', 'server_error', null);
    if (request.body.stream) return openAIStream([content], { model: request.body.model, promptTokens: 100, completionTokens: 50 });
    return openAICompletion({ content, model: request.body.model, promptTokens: 100, completionTokens: 50 });
  });
  const model = (name: string, upstreamModel: string, price: { input: number; output: number }, extra: Record<string, unknown> = {}) => ({ name, provider: 'openai-compatible', model: upstreamModel, base_url: `${upstream.url}/v1`, price, ...extra });
  harness = await startTestGateway({
    admin_key: ADMIN_KEY,
    models: [
      model('weak', 'weak-upstream', { input: 1, output: 2 }, { fallbacks: ['strong'] }),
      model('strong', 'strong-upstream', { input: 10, output: 20 }),
      model('alone', 'weak-upstream', { input: 1, output: 2 }),
    ],
    routes: [
      { name: 'auto', strategy: 'fixed', model: 'weak', strong: 'strong' },
      { name: 'lenient', strategy: 'fixed', model: 'alone', guardrails: { json_schema: { on_invalid: 'pass' } } },
      { name: 'people', strategy: 'fixed', model: 'alone', output_schema: personSchema, guardrails: { json_schema: { repair_attempts: 2 } } },
      { name: 'people-premium', strategy: 'fixed', model: 'strong', strong: 'strong', output_schema: personSchema },
    ],
    timeouts: { connect_ms: 2000, first_token_ms: 5000, total_ms: 10000 },
    retry: { attempts: 1 },
  });
  client = clientFor(harness.url, ADMIN_KEY);
});

afterAll(async () => {
  await harness?.close();
  await upstream?.close();
});

beforeEach(() => {
  script = [];
  upstream.requests.length = 0;
});

describe('JSON answers checked against their schema', () => {
  it('passes a valid first answer with one call: valid', async () => {
    script = [VALID];
    const { data, response } = await person('auto');
    expect(data.choices[0]!.message.content).toBe(VALID);
    expect(response.headers.get('x-switchboard-schema')).toBe('valid');
    expect(upstream.requests).toHaveLength(1);
  });

  it('repairs an invalid answer with one turn carrying the validator errors, and bills both calls: repaired', async () => {
    script = [WRONG_TYPE, VALID];
    const { data, response } = await person('auto');
    expect(data.choices[0]!.message.content).toBe(VALID);
    expect(response.headers.get('x-switchboard-schema')).toBe('repaired');
    expect(upstream.requests).toHaveLength(2);
    const repair = upstream.requests[1]!.body;
    expect(repair.model).toBe('weak-upstream');
    expect(repair.messages.slice(-2)).toEqual([
      { role: 'assistant', content: WRONG_TYPE },
      { role: 'user', content: 'Your previous answer does not match the required JSON schema:\n- $.name: must be string\nAnswer again with only the corrected JSON, matching the schema exactly.' },
    ]);
    expect(Number(response.headers.get('x-switchboard-cost-usd'))).toBeCloseTo(2 * WEAK_CALL_USD, 10);

    const record = await loggedRecord(response.headers.get('x-request-id')!);
    expect(record.guardrails).toBe('schema=repaired');
    expect(record.prompt_tokens).toBe(200);
    expect(record.completion_tokens).toBe(100);
    expect(record.cost_usd).toBeCloseTo(2 * WEAK_CALL_USD, 10);
    expect(record.attempts).toHaveLength(2);
  });

  it("escalates to the route's strong model when the repair fails too: escalated", async () => {
    script = [NOT_JSON, WRONG_TYPE, VALID];
    const { data, response } = await person('auto');
    expect(data.choices[0]!.message.content).toBe(VALID);
    expect(response.headers.get('x-switchboard-schema')).toBe('escalated');
    expect(response.headers.get('x-switchboard-model')).toBe('strong');
    expect(upstream.requests.map((request) => request.body.model)).toEqual(['weak-upstream', 'weak-upstream', 'strong-upstream']);
    // The escalation asks the original question, not the failed conversation.
    expect(upstream.requests[2]!.body.messages).toEqual([{ role: 'user', content: 'Who wrote the first program? JSON please.' }]);
    expect(Number(response.headers.get('x-switchboard-cost-usd'))).toBeCloseTo(2 * WEAK_CALL_USD + STRONG_CALL_USD, 10);
  });

  it("escalates a model's request to its first fallback", async () => {
    script = [NOT_JSON, NOT_JSON, VALID];
    const { response } = await person('weak');
    expect(response.headers.get('x-switchboard-schema')).toBe('escalated');
    expect(upstream.requests.map((request) => request.body.model)).toEqual(['weak-upstream', 'weak-upstream', 'strong-upstream']);
  });

  it('refuses an answer still invalid after repair and escalation with 502 invalid_output, billing every call', async () => {
    script = [NOT_JSON, WRONG_TYPE, '{"name":"Ada"}'];
    const error = await person('auto').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(502);
    expect(apiError.code).toBe('invalid_output');
    expect(apiError.message).toContain("$: must have required property 'age'");
    expect(apiError.headers?.get('x-switchboard-schema')).toBe('invalid');
    expect(upstream.requests).toHaveLength(3);
    const record = await loggedRecord(apiError.headers!.get('x-request-id')!);
    expect(record.status).toBe(502);
    expect(record.guardrails).toBe('schema=invalid');
    expect(record.cost_usd).toBeCloseTo(2 * WEAK_CALL_USD + STRONG_CALL_USD, 10);
    expect(record.completion_tokens).toBe(150);
  });

  it('still bills the first answer when its repair call fails', async () => {
    script = [NOT_JSON, UPSTREAM_ERROR];
    const error = await person('alone').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBeGreaterThanOrEqual(500);
    expect(upstream.requests).toHaveLength(2);
    const record = await loggedRecord(apiError.headers!.get('x-request-id')!);
    expect(record.cost_usd).toBeCloseTo(WEAK_CALL_USD, 10);
    expect(record.completion_tokens).toBe(50);
  });

  it('returns the last answer as it is under on_invalid: pass, saying it is invalid', async () => {
    script = [NOT_JSON, NOT_JSON];
    const { data, response } = await person('lenient');
    expect(data.choices[0]!.message.content).toBe(NOT_JSON);
    expect(response.headers.get('x-switchboard-schema')).toBe('invalid');
    // `alone` has no fallback and the route no strong model: one repair, no escalation.
    expect(upstream.requests).toHaveLength(2);
  });

  it("checks every answer on a route with output_schema, even when the request asks for none, with the route's repair count", async () => {
    script = [NOT_JSON, WRONG_TYPE, VALID];
    const { data, response } = await client.chat.completions.create({ model: 'people', messages: [{ role: 'user', content: 'Ada?' }] }).withResponse();
    expect(data.choices[0]!.message.content).toBe(VALID);
    expect(response.headers.get('x-switchboard-schema')).toBe('repaired');
    expect(upstream.requests).toHaveLength(3);
  });

  it("keeps checking a route's answers when budget degradation sends its request to a weak model", async () => {
    const { key } = await createKey(harness.url, { name: 'degrading', budget_usd: 1, degradation: { steps: [{ at: 0.000001, use_weak_model: true }], weak_model: 'weak' } });
    const keyed = clientFor(harness.url, key);
    script = [VALID];
    await keyed.chat.completions.create({ model: 'people-premium', messages: [{ role: 'user', content: 'Ada?' }] });
    script = [NOT_JSON, VALID];
    const { data, response } = await keyed.chat.completions.create({ model: 'people-premium', messages: [{ role: 'user', content: 'Ada?' }] }).withResponse();
    expect(response.headers.get('x-switchboard-degraded')).toMatch(/model=weak/);
    expect(response.headers.get('x-switchboard-schema')).toBe('repaired');
    expect(data.choices[0]!.message.content).toBe(VALID);
  });

  it('buffers a streamed request, validates and repairs it, then streams the valid answer', async () => {
    script = [WRONG_TYPE, VALID];
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'auto', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Ada?' }], response_format: responseFormat })
      .withResponse();
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const part of stream) {
      text += part.choices[0]?.delta.content ?? '';
      usage = part.usage ?? usage;
    }
    expect(text).toBe(VALID);
    expect(response.headers.get('x-switchboard-schema')).toBe('repaired');
    expect(upstream.requests.map((request) => request.body.stream ?? false)).toEqual([false, false]);
    expect(usage?.completion_tokens).toBe(50);
  });

  it('checks a /v1/responses text.format answer the same way', async () => {
    script = [WRONG_TYPE, VALID];
    const response = await client.responses.create({ model: 'auto', input: 'Ada?', text: { format: { type: 'json_schema', name: 'person', schema: personSchema, strict: true } } });
    expect(response.output_text).toBe(VALID);
    expect(upstream.requests).toHaveLength(2);
  });

  it('refuses a schema that does not compile with a 400 naming its param, before any call', async () => {
    const error = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'bad', schema: { type: 'objekt' } } } })
      .catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_json_schema');
    expect((error as InstanceType<typeof OpenAI.APIError>).param).toBe('response_format.json_schema.schema');
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses at startup a route whose output_schema does not compile, naming the key', async () => {
    const starting = startTestGateway({
      models: [{ name: 'm', provider: 'openai-compatible', base_url: `${upstream.url}/v1` }],
      routes: [{ name: 'broken', strategy: 'fixed', model: 'm', output_schema: { type: 'objekt' } }],
    });
    await expect(starting).rejects.toThrow(/routes\[0\]\.output_schema: not a valid JSON schema: data\/type must be equal to one of the allowed values/);
  });

  it("reserves the repair turn on the key's budget before the first call", async () => {
    // `alone` (no fallback): one call at max_tokens 1000 may cost ~$0.002; with its repair turn
    // (the prompt again, plus the first answer and the repair instructions) ~$0.0063.
    // A $0.005 budget admits the plain request and refuses the checked one up front.
    const { key } = await createKey(harness.url, { name: 'tight', budget_usd: 0.005 });
    const keyed = clientFor(harness.url, key);
    script = [VALID];
    await keyed.chat.completions.create({ model: 'alone', max_tokens: 1000, messages: [{ role: 'user', content: 'Ada?' }] });
    expect(upstream.requests).toHaveLength(1);
    const error = await keyed.chat.completions.create({ model: 'alone', max_tokens: 1000, messages: [{ role: 'user', content: 'Ada?' }], response_format: responseFormat }).catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('budget_exceeded');
    expect(upstream.requests).toHaveLength(1);
  });
});
