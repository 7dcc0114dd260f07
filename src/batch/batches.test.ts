/**
 * Batch jobs end to end: the official `openai` client uploads a file, creates a batch, polls it
 * and downloads the results from a real gateway, whose lines go to a faithful fake of OpenAI's
 * Batch API (native, at the batch price), to an OpenAI-compatible server without one (paced),
 * or to fakes of Anthropic's Message Batches and Gemini's batch mode.
 */
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeCost } from '../cost/compute-cost.js';
import { FAKE_PROMPT_TOKENS, FakeAnthropicMessageBatches, FakeGeminiBatches, FakeOpenAIBatchApi } from '../testing/fake-batch-apis.js';
import { DEFAULT_ROUTER_PATH, loadLearnedRouter } from '../routing/learned/index.js';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { ADMIN_KEY, adminRequest, createKey } from '../testing/governance-test-helpers.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

const MINI = { input: 0.15, output: 0.6 };
const HAIKU = { input: 0.8, output: 4 };
const LLAMA = { input: 0.18, output: 0.18 };
const FLASH = { input: 0.3, output: 2.5 };

const EASY_PROMPT = 'What is the capital of France?';
const HARD_PROMPT =
  'A train leaves at 3:15 pm travelling 84 km/h; a second leaves the same station at 4:05 pm at 112 km/h on a parallel track. At what time, to the minute, does the second train catch up, and how far from the station? Show each step of the algebra and verify the answer.';

let openai: FakeOpenAIBatchApi;
let anthropic: FakeAnthropicMessageBatches;
let gemini: FakeGeminiBatches;
let compatible: FakeUpstream;
let test: TestGateway;
let admin: OpenAI;

beforeAll(async () => {
  openai = await FakeOpenAIBatchApi.start();
  anthropic = await FakeAnthropicMessageBatches.start();
  gemini = await FakeGeminiBatches.start();
  compatible = await FakeUpstream.start((request) => ({ ...openAICompletion({ model: request.body?.model, promptTokens: 12, completionTokens: request.body?.max_tokens ?? 9, content: `paced ${request.body?.messages?.at(-1)?.content}` }), delayMs: 5 }));
  test = await startTestGateway({
    admin_key: ADMIN_KEY,
    batch: { poll_interval_ms: 50, scan_interval_ms: 100 },
    models: [
      { name: 'gpt-4o-mini', provider: 'openai', base_url: `${openai.url}/v1`, api_key: 'sk-upstream', price: MINI },
      { name: 'claude-haiku', provider: 'anthropic', model: 'claude-3-5-haiku-20241022', base_url: anthropic.url, api_key: 'sk-ant-upstream', price: HAIKU },
      { name: 'gemini-flash', provider: 'gemini', model: 'gemini-2.5-flash', base_url: gemini.url, api_key: 'gemini-upstream-key', price: FLASH },
      { name: 'llama', provider: 'openai-compatible', base_url: `${compatible.url}/v1`, api_key: 'sk-local', price: LLAMA },
      // An OpenAI model with PII masking: its lines cannot go to the Batch API unmasked.
      { name: 'gpt-masked', provider: 'openai', model: 'gpt-4o-mini', base_url: `${compatible.url}/v1`, api_key: 'sk-upstream', price: MINI, guardrails: { pii: { action: 'mask' } } },
    ],
    routes: [{ name: 'auto', strategy: 'learned', weak: 'gpt-4o-mini', strong: 'claude-haiku', threshold: learnedThreshold() }],
  });
  admin = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: ADMIN_KEY, maxRetries: 0 });
});

/** A threshold between the default router's scores of the easy and the hard prompt. */
function learnedThreshold(): number {
  const router = loadLearnedRouter(DEFAULT_ROUTER_PATH);
  return (router.score(EASY_PROMPT) + router.score(HARD_PROMPT)) / 2;
}

afterAll(async () => {
  await test?.close();
  await openai?.close();
  await anthropic?.close();
  await gemini?.close();
  await compatible?.close();
});

function jsonl(model: string, count: number, extra: (index: number) => Record<string, unknown> = () => ({})): string {
  return Array.from({ length: count }, (_, index) =>
    JSON.stringify({ custom_id: `request-${index + 1}`, method: 'POST', url: '/v1/chat/completions', body: { model, max_tokens: 20, messages: [{ role: 'user', content: `Question ${index + 1}` }], ...extra(index) } }),
  ).join('\n');
}

/** The five lines the README shows: upload, create, poll, download. */
async function runBatch(client: OpenAI, content: string) {
  const file = await client.files.create({ file: await toFile(Buffer.from(content), 'requests.jsonl'), purpose: 'batch' });
  let batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  const deadline = Date.now() + 20_000;
  while (!['completed', 'failed', 'expired', 'cancelled'].includes(batch.status) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    batch = await client.batches.retrieve(batch.id);
  }
  const output = batch.output_file_id ? await (await client.files.content(batch.output_file_id)).text() : '';
  const errors = batch.error_file_id ? await (await client.files.content(batch.error_file_id)).text() : '';
  const lines = (text: string) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
  return { file, batch, output: lines(output), errors: lines(errors) };
}

async function batchRows(batchId: string) {
  await test.gateway.logWriter.flush();
  return (await test.gateway.store.recent(1000)).filter((record) => record.batch_id === batchId);
}

describe('batches through the official openai client', () => {
  it('sends a group to OpenAI’s Batch API and prices it at half the live price', async () => {
    const { batch, output, errors } = await runBatch(admin, jsonl('gpt-4o-mini', 3, (index) => (index === 1 ? { messages: [{ role: 'user', content: 'Please FAIL' }] } : {})));
    expect(batch.status).toBe('completed');
    expect(batch.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });
    expect(output.map((line) => line.custom_id).sort()).toEqual(['request-1', 'request-3']);
    expect(output[0].response.status_code).toBe(200);
    expect(output[0].response.body.choices[0].message.content).toBe(`Answer to ${output[0].custom_id}`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ custom_id: 'request-2', response: { status_code: 400, body: { error: { message: 'The request asked to fail.' } } } });
    // One upstream batch, whose lines name the deployment's model.
    expect(openai.submittedLines.map((line) => line.custom_id)).toEqual(['request-1', 'request-2', 'request-3']);

    const rows = await batchRows(batch.id);
    expect(rows).toHaveLength(3);
    const live = computeCost({ promptTokens: FAKE_PROMPT_TOKENS, completionTokens: 20, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, MINI);
    for (const row of rows.filter((candidate) => candidate.status === 200)) {
      expect(row.surface).toBe('batch');
      expect(row.cost_usd).toBeCloseTo(live / 2, 15);
      expect(row.live_cost_usd).toBeCloseTo(live, 15);
    }
    const spend = await adminRequest(test.url, 'GET', '/api/spend?group_by=batch');
    const group = spend.body.data.find((row: { group: string }) => row.group === batch.id);
    expect(group).toMatchObject({ requests: 3, batch_requests: 3 });
    expect(group.batch_cost_usd).toBeCloseTo(live, 12);
    expect(group.batch_saved_usd).toBeCloseTo(live, 12);
    // Retrieving the batch again counts nothing again.
    await admin.batches.retrieve(batch.id);
    const again = await adminRequest(test.url, 'GET', '/api/spend?group_by=batch');
    expect(again.body.data.find((row: { group: string }) => row.group === batch.id).batch_cost_usd).toBeCloseTo(live, 12);
  });

  it('runs lines for a model without a batch API through the pipeline, paced, at the live price', async () => {
    const before = compatible.requests.length;
    const { batch, output, errors } = await runBatch(admin, jsonl('llama', 4));
    expect(batch.status).toBe('completed');
    expect(errors).toEqual([]);
    expect(output.map((line) => line.custom_id)).toEqual(['request-1', 'request-2', 'request-3', 'request-4']);
    expect(output.map((line) => line.response.body.choices[0].message.content)).toEqual(['paced Question 1', 'paced Question 2', 'paced Question 3', 'paced Question 4']);
    expect(compatible.requests.length - before).toBe(4);
    const rows = await batchRows(batch.id);
    const live = computeCost({ promptTokens: 12, completionTokens: 20, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, LLAMA);
    expect(rows.map((row) => row.cost_usd)).toEqual([live, live, live, live]);
    expect(rows.every((row) => row.live_cost_usd === row.cost_usd && row.deployment === 'llama#0')).toBe(true);
  });

  it('runs lines a guardrail applies to through the pipeline, masked upstream and restored in the output, not through the Batch API', async () => {
    const before = compatible.requests.length;
    const { batch, output, errors } = await runBatch(admin, jsonl('gpt-masked', 2, (index) => ({ messages: [{ role: 'user', content: `Mail jane.doe@example.com about ${index + 1}` }] })));
    expect(batch.status).toBe('completed');
    expect(errors).toEqual([]);
    const sent = compatible.requests.slice(before);
    expect(sent.map((request) => request.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
    for (const request of sent) expect(request.rawBody).not.toContain('jane.doe@example.com');
    expect(sent.map((request) => request.body.messages[0].content).sort()).toEqual(['Mail <EMAIL_1> about 1', 'Mail <EMAIL_1> about 2']);
    expect(output.map((line) => line.response.body.choices[0].message.content).sort()).toEqual(['paced Mail jane.doe@example.com about 1', 'paced Mail jane.doe@example.com about 2']);
    const rows = await batchRows(batch.id);
    expect(rows.map((row) => row.guardrails)).toEqual(['pii_masked=1', 'pii_masked=1']);
  });

  it('sends an Anthropic model’s lines to Message Batches and maps the answers back to completions', async () => {
    const { batch, output, errors } = await runBatch(admin, jsonl('claude-haiku', 2));
    expect(batch.status).toBe('completed');
    expect(errors).toEqual([]);
    expect(output.map((line) => line.response.body.choices[0].message.content)).toEqual(['Answer to request-1', 'Answer to request-2']);
    expect(output[0].response.body.object).toBe('chat.completion');
    const submitted = [...anthropic.batches.values()].at(-1)!;
    expect(submitted.requests[0]).toMatchObject({ custom_id: 'request-1', params: { model: 'claude-3-5-haiku-20241022', max_tokens: 20, messages: [{ role: 'user', content: [{ type: 'text', text: 'Question 1' }] }] } });
    const rows = await batchRows(batch.id);
    const live = computeCost({ promptTokens: FAKE_PROMPT_TOKENS, completionTokens: 20, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, HAIKU);
    expect(rows.map((row) => row.cost_usd)).toEqual([live / 2, live / 2]);
  });
});

describe('Gemini batch mode', () => {
  it('sends a Gemini model’s lines to batchGenerateContent, maps each inlined answer back by its key, and bills half price', async () => {
    const content = [jsonl('gemini-flash', 2), JSON.stringify({ custom_id: 'request-3', method: 'POST', url: '/v1/chat/completions', body: { model: 'gemini-flash', max_tokens: 20, messages: [{ role: 'user', content: 'FAIL please' }] } })].join('\n');
    const { batch, output, errors } = await runBatch(admin, content);
    expect(batch.status).toBe('completed');
    expect(batch.request_counts).toMatchObject({ total: 3, completed: 2, failed: 1 });
    expect(output.map((line) => [line.custom_id, line.response.body.choices[0].message.content])).toEqual([
      ['request-1', 'Gemini answer to request-1'],
      ['request-2', 'Gemini answer to request-2'],
    ]);
    expect(output[0].response.body.usage).toMatchObject({ prompt_tokens: FAKE_PROMPT_TOKENS, completion_tokens: 20 });
    expect(errors.map((line) => [line.custom_id, line.response?.status_code])).toEqual([['request-3', 400]]);
    expect(errors[0].response.body.error.message).toContain('asked to fail');

    const submitted = [...gemini.batches.values()].at(-1)!;
    expect(submitted.model).toBe('models/gemini-2.5-flash');
    expect(submitted.requests[0]).toEqual({ metadata: { key: 'request-1' }, request: expect.objectContaining({ contents: [{ role: 'user', parts: [{ text: 'Question 1' }] }], generationConfig: expect.objectContaining({ maxOutputTokens: 20 }) }) });
    expect(gemini.calls.every((call) => call.headers['x-goog-api-key'] === 'gemini-upstream-key')).toBe(true);

    const rows = await batchRows(batch.id);
    const live = computeCost({ promptTokens: FAKE_PROMPT_TOKENS, completionTokens: 20, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, FLASH);
    const billed = rows.filter((row) => row.status === 200).map((row) => row.cost_usd);
    expect(billed).toEqual([live / 2, live / 2]);
  });


  it('cancels the Gemini batch upstream when the batch is cancelled, and errors its unanswered lines', async () => {
    gemini.pollsToEnd = 1_000;
    try {
      const file = await admin.files.create({ file: await toFile(Buffer.from(jsonl('gemini-flash', 2)), 'requests.jsonl'), purpose: 'batch' });
      let batch = await admin.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      const submittedBefore = gemini.batches.size;
      const deadline = Date.now() + 20_000;
      while (gemini.batches.size === submittedBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      batch = await admin.batches.cancel(batch.id);
      while (batch.status !== 'cancelled' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        batch = await admin.batches.retrieve(batch.id);
      }
      expect(batch.status).toBe('cancelled');
      const upstream = [...gemini.batches.values()].at(-1)!;
      expect(upstream.state).toBe('BATCH_STATE_CANCELLED');
      expect(gemini.calls.some((call) => call.method === 'POST' && call.path === `/v1beta/${upstream.name}:cancel`)).toBe(true);
      const errors = (await (await admin.files.content(batch.error_file_id!)).text()).split('\n').filter(Boolean).map((line) => JSON.parse(line));
      expect(errors.map((line) => [line.custom_id, line.error?.code ?? line.response?.body?.error?.code])).toEqual([['request-1', 'batch_cancelled'], ['request-2', 'batch_cancelled']]);
    } finally {
      gemini.pollsToEnd = 2;
    }
  });
});

describe('routed batch lines', () => {
  it('decides a learned route’s lines when the batch is planned and sends each to its model’s batch API, at the batch price', async () => {
    const line = (customId: string, prompt: string) => JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'auto', max_tokens: 20, messages: [{ role: 'user', content: prompt }] } });
    const openaiBefore = openai.submittedLines.length;
    const anthropicBefore = anthropic.batches.size;
    const { batch, output, errors } = await runBatch(admin, [line('easy', EASY_PROMPT), line('hard', HARD_PROMPT)].join('\n'));
    expect(batch.status).toBe('completed');
    expect(errors).toEqual([]);
    expect(output.map((entry) => entry.custom_id).sort()).toEqual(['easy', 'hard']);
    // The easy line went to OpenAI's Batch API (the weak model), the hard one to Message Batches (the strong).
    expect(openai.submittedLines.slice(openaiBefore).map((entry) => entry.custom_id)).toEqual(['easy']);
    expect([...anthropic.batches.values()].slice(anthropicBefore).flatMap((entry) => entry.requests.map((request) => request.custom_id))).toEqual(['hard']);

    const rows = await batchRows(batch.id);
    const byModel = Object.fromEntries(rows.map((row) => [row.served_model, row]));
    expect(byModel['gpt-4o-mini']).toMatchObject({ requested_model: 'auto', route: 'auto', route_strategy: 'learned', route_decision: 'weak' });
    expect(byModel['claude-haiku']).toMatchObject({ requested_model: 'auto', route: 'auto', route_strategy: 'learned', route_decision: 'strong' });
    const liveMini = computeCost({ promptTokens: FAKE_PROMPT_TOKENS, completionTokens: 20, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, MINI);
    expect(byModel['gpt-4o-mini']!.cost_usd).toBeCloseTo(liveMini / 2, 15);
    expect(byModel['gpt-4o-mini']!.router_score).toBeLessThan(byModel['claude-haiku']!.router_score!);
  });
});

describe('batch validation and ownership', () => {
  it('fails a batch whose lines are bad, naming each line', async () => {
    const lines = [
      JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'llama', messages: [{ role: 'user', content: 'hi' }] } }),
      '{not json',
      JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'llama', messages: [{ role: 'user', content: 'hi' }] } }),
      JSON.stringify({ custom_id: 'b', method: 'POST', url: '/v1/completions', body: { model: 'llama', prompt: 'hi' } }),
      JSON.stringify({ custom_id: 'c', method: 'POST', url: '/v1/chat/completions', body: { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] } }),
    ].join('\n');
    const file = await admin.files.create({ file: await toFile(Buffer.from(lines), 'bad.jsonl'), purpose: 'batch' });
    const batch = await admin.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(batch.status).toBe('failed');
    expect(batch.errors?.data?.map((error) => [error.line, error.code])).toEqual([
      [2, 'invalid_json'],
      [3, 'duplicate_custom_id'],
      [4, 'invalid_url'],
    ]);
    const unknownModel = await admin.batches.create({
      input_file_id: (await admin.files.create({ file: await toFile(Buffer.from(lines.split('\n')[4]!), 'm.jsonl'), purpose: 'batch' })).id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(unknownModel.errors?.data?.[0]).toMatchObject({ line: 1, code: 'model_not_found' });
  });

  it('refuses a batch its key’s budget cannot hold, before any line runs', async () => {
    const { key } = await createKey(test.url, { name: 'small-batch-budget', budget_usd: 0.001, budget_period: 'day' });
    const client = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: key, maxRetries: 0 });
    const before = compatible.requests.length;
    const file = await client.files.create({ file: await toFile(Buffer.from(jsonl('llama', 50, () => ({ max_tokens: 1000 }))), 'big.jsonl'), purpose: 'batch' });
    const error = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('budget_exceeded');
    expect((error as Error).message).toMatch(/this batch of 50 requests may cost up to \$0\.009/);
    expect((await client.batches.list()).data).toEqual([]);
    expect(compatible.requests.length).toBe(before);
    // A batch that fits runs, and its key's spend counts it once.
    const small = await runBatch(client, jsonl('llama', 2));
    expect(small.batch.status).toBe('completed');
  });

  it('shows a key only its own files and batches, and the admin all of them, a page at a time', async () => {
    const { key } = await createKey(test.url, { name: 'owner' });
    const owner = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: key, maxRetries: 0 });
    const { key: otherKey } = await createKey(test.url, { name: 'stranger' });
    const stranger = new OpenAI({ baseURL: `${test.url}/v1`, apiKey: otherKey, maxRetries: 0 });
    const { batch, file } = await runBatch(owner, jsonl('llama', 1));
    await expect(stranger.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 });
    await expect(stranger.batches.retrieve(batch.id)).rejects.toMatchObject({ status: 404 });
    expect((await owner.batches.retrieve(batch.id)).id).toBe(batch.id);
    expect((await admin.batches.retrieve(batch.id)).id).toBe(batch.id);

    const seen: string[] = [];
    for await (const item of admin.batches.list({ limit: 2 })) seen.push(item.id);
    expect(seen).toContain(batch.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(2);
    expect(await owner.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
    await expect(owner.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 });
  });
});
