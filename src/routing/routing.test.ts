import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { FakeUpstream, type FakeReply, type FakeRequest } from '../testing/fake-upstream.js';
import { openAICompletion, openAIStream } from '../testing/openai-replies.js';
import { getJson } from '../testing/http.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';
import { DEFAULT_ROUTER_PATH, loadLearnedRouter } from './learned/index.js';

/** Per upstream model id, what the fake answers. Each test sets what it needs. */
let replies: Record<string, (request: FakeRequest) => FakeReply>;
let upstream: FakeUpstream;
let harness: TestGateway;
let directory: string;

const reply = (content: string, extra: Parameters<typeof openAICompletion>[0] = {}) => (request: FakeRequest) =>
  request.body.stream ? openAIStream([content], { model: request.body.model, ...extra }) : openAICompletion({ content, model: request.body.model, ...extra });

const callsTo = (model: string) => upstream.requests.filter((request) => request.body?.model === model);
const lastRecord = async () => (await getJson(`${harness.url}/api/requests?limit=1`)).data[0];
const ask = (model: string, content: string, extra: Partial<ChatCompletionCreateParamsNonStreaming> = {}) =>
  harness.client.chat.completions.create({ model, messages: [{ role: 'user', content }], ...extra }).withResponse();

const easyPrompt = 'What is the capital of France?';
const hardPrompt =
  'A train leaves at 3:15 pm travelling 84 km/h; a second leaves the same station at 4:05 pm at 112 km/h on a parallel track. At what time, to the minute, does the second train catch up, and how far from the station? Show each step of the algebra and verify the answer.';

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'switchboard-routing-'));
  replies = {};
  upstream = await FakeUpstream.start((request) => (replies[request.body?.model] ?? reply('default answer'))(request));
  const router = loadLearnedRouter(DEFAULT_ROUTER_PATH);
  const easyScore = router.score(easyPrompt);
  const hardScore = router.score(hardPrompt);
  writeFileSync(join(directory, 'calibration.jsonl'), [easyPrompt, hardPrompt, 'Hi there', 'Tell me a joke'].map((prompt, index) => JSON.stringify({ id: `c${index}`, prompt, scores: {} })).join('\n'));
  const model = (name: string, upstreamModel = name) => ({ name, provider: 'openai-compatible', model: upstreamModel, base_url: `${upstream.url}/v1` });
  harness = await startTestGateway(
    {
      models: [model('gpt-4o-mini'), model('gpt-4o'), model('verifier', 'gpt-4o-mini-verifier'), model('classifier', 'gpt-4o-mini-classifier'), model('refiner', 'gpt-4o-mini-refiner')],
      routes: [
        { name: 'alias', strategy: 'fixed', model: 'gpt-4o-mini', strong: 'gpt-4o' },
        { name: 'coin', strategy: 'random', weak: 'gpt-4o-mini', strong: 'gpt-4o', strong_share: 0.5 },
        { name: 'never-strong', strategy: 'random', weak: 'gpt-4o-mini', strong: 'gpt-4o', strong_share: 0 },
        {
          name: 'policy',
          strategy: 'rules',
          weak: 'gpt-4o-mini',
          strong: 'gpt-4o',
          default: 'gpt-4o-mini',
          rules: [
            { when: { message_matches: '\\b(lawsuit|legal|diagnos\\w*|chargeback|dispute)\\b' }, model: 'gpt-4o', reason: 'high-risk topic' },
            { when: { headers: { 'x-switchboard-tier': 'premium' } }, model: 'gpt-4o', reason: 'premium tier' },
            { when: { metadata: { feature: 'summarise' }, json_mode: true }, model: 'gpt-4o' },
            { when: { has_images: true }, model: 'gpt-4o', reason: 'vision' },
            { when: { tags: ['vip'] }, model: 'gpt-4o' },
            { when: { min_prompt_tokens: 2000 }, model: 'gpt-4o', reason: 'long context' },
            { when: { users: ['ceo@example.com'] }, model: 'gpt-4o' },
          ],
        },
        { name: 'auto', strategy: 'learned', weak: 'gpt-4o-mini', strong: 'gpt-4o', threshold: (easyScore + hardScore) / 2 },
        { name: 'auto-share', strategy: 'learned', weak: 'gpt-4o-mini', strong: 'gpt-4o', strong_share: 0.25, calibration_data: ['calibration.jsonl'] },
        { name: 'cascade', strategy: 'cascade', weak: 'gpt-4o-mini', strong: 'gpt-4o' },
        { name: 'verified', strategy: 'cascade', weak: 'gpt-4o-mini', strong: 'gpt-4o', checks: { verifier: { model: 'verifier' } } },
        { name: 'triage', strategy: 'pipeline', weak: 'gpt-4o-mini', strong: 'gpt-4o', classify: { model: 'classifier', classes: { simple: 'gpt-4o-mini', hard: 'gpt-4o' }, default: 'simple' } },
        { name: 'explain', strategy: 'pipeline', classify: { model: 'classifier', classes: { simple: 'gpt-4o-mini', hard: 'gpt-4o' }, default: 'hard' }, refine: { model: 'refiner', instruction: 'Rewrite for a ten-year-old.' } },
      ],
    },
    { directory },
  );
  expect(hardScore, 'the default router must rank the multi-step word problem above the trivia question').toBeGreaterThan(easyScore);
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
  rmSync(directory, { recursive: true, force: true });
});

afterEach(() => {
  replies = {};
  upstream.requests.length = 0;
});

describe('fixed and random routes', () => {
  it('serves a fixed route with its model and says so in the headers and the log', async () => {
    const { response } = await ask('alias', 'hi');
    expect(response.headers.get('x-switchboard-model')).toBe('gpt-4o-mini');
    expect(response.headers.get('x-switchboard-route')).toBe('alias; strategy=fixed; decision=fixed');
    expect(await lastRecord()).toMatchObject({ route: 'alias', route_strategy: 'fixed', requested_model: 'alias', served_model: 'gpt-4o-mini' });
  });

  it('sends about strong_share of traffic to the strong model, and none at share 0', async () => {
    const served = await Promise.all(Array.from({ length: 120 }, () => ask('coin', 'hi').then(({ response }) => response.headers.get('x-switchboard-model'))));
    const strong = served.filter((model) => model === 'gpt-4o').length;
    expect(strong).toBeGreaterThan(30);
    expect(strong).toBeLessThan(90);
    const never = await Promise.all(Array.from({ length: 20 }, () => ask('never-strong', 'hi').then(({ response }) => response.headers.get('x-switchboard-model'))));
    expect(new Set(never)).toEqual(new Set(['gpt-4o-mini']));
  });

  it('lists routes among the models', async () => {
    const ids = (await harness.client.models.list()).data.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o-mini', 'auto', 'cascade', 'policy']));
  });
});

describe('rules route', () => {
  const servedBy = async (content: string, extra: Partial<ChatCompletionCreateParamsNonStreaming> = {}, headers: Record<string, string> = {}) => {
    const { response } = await harness.client.chat.completions.create({ model: 'policy', messages: [{ role: 'user', content }], ...extra }, { headers }).withResponse();
    return response.headers.get('x-switchboard-model');
  };

  it('sends legal, medical and billing-dispute requests to the strong model and records why', async () => {
    expect(await servedBy('Can my landlord file a lawsuit over this?')).toBe('gpt-4o');
    expect(await lastRecord()).toMatchObject({ route_decision: 'rule:0', route_reason: 'high-risk topic', served_model: 'gpt-4o' });
    expect(await servedBy('I want to dispute a charge on my card')).toBe('gpt-4o');
    expect(await servedBy('Write a haiku about autumn')).toBe('gpt-4o-mini');
    expect(await lastRecord()).toMatchObject({ route_decision: 'default', route_reason: 'no rule matched' });
  });

  it('matches on a tier header, metadata with JSON mode, images, tags, prompt length and user', async () => {
    expect(await servedBy('hello', {}, { 'x-switchboard-tier': 'premium' })).toBe('gpt-4o');
    expect(await servedBy('hello', {}, { 'x-switchboard-tier': 'free' })).toBe('gpt-4o-mini');
    expect(await servedBy('summarise', { metadata: { feature: 'summarise' }, response_format: { type: 'json_object' } })).toBe('gpt-4o');
    expect(await servedBy('summarise', { metadata: { feature: 'summarise' } })).toBe('gpt-4o-mini');
    const image = [{ type: 'text' as const, text: 'what is this?' }, { type: 'image_url' as const, image_url: { url: 'https://example.com/cat.png' } }];
    expect((await harness.client.chat.completions.create({ model: 'policy', messages: [{ role: 'user', content: image }] }).withResponse()).response.headers.get('x-switchboard-model')).toBe('gpt-4o');
    expect(await servedBy('hello', { metadata: { tags: 'beta, vip' } })).toBe('gpt-4o');
    expect(await servedBy('hello', {}, { 'x-switchboard-tags': 'vip' })).toBe('gpt-4o');
    expect(await servedBy('word '.repeat(2000))).toBe('gpt-4o');
    expect(await servedBy('hello', { user: 'ceo@example.com' })).toBe('gpt-4o');
    expect(await servedBy('hello', { user: 'intern@example.com' })).toBe('gpt-4o-mini');
  });
});

describe('learned route', () => {
  it('scores each request in-process and sends it to the strong model above the threshold', async () => {
    const easy = await ask('auto', easyPrompt);
    const hard = await ask('auto', hardPrompt);
    expect(easy.response.headers.get('x-switchboard-model')).toBe('gpt-4o-mini');
    expect(hard.response.headers.get('x-switchboard-model')).toBe('gpt-4o');
    const easyScore = Number(easy.response.headers.get('x-switchboard-router-score'));
    const hardScore = Number(hard.response.headers.get('x-switchboard-router-score'));
    expect(hardScore).toBeGreaterThan(easyScore);
    expect(hard.response.headers.get('x-switchboard-route')).toBe('auto; strategy=learned; decision=strong');
    const record = await lastRecord();
    expect(record).toMatchObject({ route: 'auto', route_strategy: 'learned', route_decision: 'strong', served_model: 'gpt-4o' });
    expect(record.router_score).toBeCloseTo(hardScore, 4);
    expect(record.route_reason).toMatch(/^router [0-9a-f]{12} score [\d.]+ ≥ threshold [\d.]+$/);
  });

  it('calibrates strong_share into a threshold on the calibration data', async () => {
    // Of the four calibration prompts, only the hardest is in the top 25%.
    expect((await ask('auto-share', hardPrompt)).response.headers.get('x-switchboard-model')).toBe('gpt-4o');
    expect((await ask('auto-share', easyPrompt)).response.headers.get('x-switchboard-model')).toBe('gpt-4o-mini');
  });

  it('streams from the chosen model', async () => {
    replies['gpt-4o'] = reply('strong streamed answer');
    const stream = await harness.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: hardPrompt }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('strong streamed answer');
  });
});

describe('cascade route', () => {
  it('keeps a good weak answer and never calls the strong model', async () => {
    replies['gpt-4o-mini'] = reply('Paris is the capital of France.');
    const { data, response } = await ask('cascade', easyPrompt);
    expect(data.choices[0]!.message.content).toBe('Paris is the capital of France.');
    expect(response.headers.get('x-switchboard-model')).toBe('gpt-4o-mini');
    expect(callsTo('gpt-4o')).toHaveLength(0);
    expect(await lastRecord()).toMatchObject({ route_decision: 'weak-accepted', served_model: 'gpt-4o-mini' });
  });

  it('escalates a hedging weak answer, and shows both calls and both costs', async () => {
    replies['gpt-4o-mini'] = reply("I'm not sure, it depends.", { promptTokens: 100, completionTokens: 10 });
    replies['gpt-4o'] = reply('The answer is 42 because...', { promptTokens: 100, completionTokens: 50 });
    const { data, response } = await ask('cascade', 'What is the answer?');
    expect(data.choices[0]!.message.content).toBe('The answer is 42 because...');
    expect(response.headers.get('x-switchboard-model')).toBe('gpt-4o');
    const weakCost = (100 * 0.15 + 10 * 0.6) / 1e6;
    const strongCost = (100 * 2.5 + 50 * 10) / 1e6;
    expect(response.headers.get('x-switchboard-cascade')).toContain(`weak_cost_usd=${weakCost.toFixed(8)}`);
    expect(Number(response.headers.get('x-switchboard-cost-usd'))).toBeCloseTo(weakCost + strongCost, 12);
    const record = await lastRecord();
    expect(record).toMatchObject({ route_decision: 'escalated', served_model: 'gpt-4o' });
    expect(record.route_reason).toMatch(/hedges/);
    expect(record.attempts.map((attempt: { model: string }) => attempt.model)).toEqual(['gpt-4o-mini', 'gpt-4o']);
    expect(record.attempts[0].cost_usd).toBeCloseTo(weakCost, 12);
    expect(record.attempts[1].cost_usd).toBeCloseTo(strongCost, 12);
    expect(record.cost_usd).toBeCloseTo(weakCost + strongCost, 12);
  });

  it('escalates when JSON was asked for and the weak answer is not JSON, or when it was cut at the length limit', async () => {
    replies['gpt-4o-mini'] = reply('{"answer": 4');
    replies['gpt-4o'] = reply('{"answer": 4}');
    const json = await ask('cascade', '2+2 as JSON', { response_format: { type: 'json_object' } });
    expect(json.data.choices[0]!.message.content).toBe('{"answer": 4}');
    expect((await lastRecord()).route_reason).toMatch(/not valid JSON/);
    replies['gpt-4o-mini'] = reply('A long answer that got cu', { finishReason: 'length' });
    await ask('cascade', 'Tell me everything');
    expect((await lastRecord()).route_reason).toMatch(/finished with length/);
  });

  it('streams the accepted weak answer, or the strong answer after escalation', async () => {
    replies['gpt-4o-mini'] = reply('weak and fine');
    const accepted = await harness.client.chat.completions.create({ model: 'cascade', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage;
    for await (const chunk of accepted) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage ??= chunk.usage;
    }
    expect(text).toBe('weak and fine');
    expect(usage).toBeTruthy();
    expect(callsTo('gpt-4o-mini')[0]!.body.stream).toBeUndefined();

    replies['gpt-4o-mini'] = reply('As an AI language model I cannot answer that.');
    replies['gpt-4o'] = reply('strong and streamed');
    const escalated = await harness.client.chat.completions.create({ model: 'cascade', messages: [{ role: 'user', content: 'hi' }], stream: true });
    text = '';
    for await (const chunk of escalated) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('strong and streamed');
    expect(callsTo('gpt-4o').at(-1)!.body.stream).toBe(true);
  });

  it('escalates when the verifier model does not confirm the weak answer', async () => {
    replies['gpt-4o-mini'] = reply('Lyon is the capital of France.');
    replies['gpt-4o-mini-verifier'] = reply('NO');
    replies['gpt-4o'] = reply('Paris.');
    const rejected = await ask('verified', easyPrompt);
    expect(rejected.data.choices[0]!.message.content).toBe('Paris.');
    expect(callsTo('gpt-4o-mini-verifier')[0]!.body.messages[1].content).toContain('Lyon is the capital of France.');
    replies['gpt-4o-mini-verifier'] = reply('YES');
    replies['gpt-4o-mini'] = reply('Paris is the capital of France.');
    const accepted = await ask('verified', easyPrompt);
    expect(accepted.response.headers.get('x-switchboard-model')).toBe('gpt-4o-mini');
  });
});

describe('pipeline route', () => {
  it('classifies with a cheap model and lets the class pick the solver', async () => {
    replies['gpt-4o-mini-classifier'] = reply('hard');
    replies['gpt-4o'] = reply('a careful proof');
    const { data, response } = await ask('triage', 'Prove that there are infinitely many primes.');
    expect(data.choices[0]!.message.content).toBe('a careful proof');
    expect(response.headers.get('x-switchboard-pipeline')).toBe('class=hard; solver=gpt-4o');
    const classifierCall = callsTo('gpt-4o-mini-classifier')[0]!.body;
    expect(classifierCall.messages[0].content).toMatch(/exactly one of these classes: simple, hard/);
    expect(classifierCall.messages[1].content).toBe('Prove that there are infinitely many primes.');
    replies['gpt-4o-mini-classifier'] = reply('Simple.');
    expect((await ask('triage', 'hi')).response.headers.get('x-switchboard-model')).toBe('gpt-4o-mini');
    replies['gpt-4o-mini-classifier'] = reply('no idea');
    await ask('triage', 'hi');
    expect((await lastRecord()).route_reason).toMatch(/named no class; default used/);
  });

  it('refines the solver answer with a cheap model and streams the refined answer', async () => {
    replies['gpt-4o-mini-classifier'] = reply('hard');
    replies['gpt-4o'] = reply('Photosynthesis converts light energy into chemical energy stored in glucose.');
    replies['gpt-4o-mini-refiner'] = reply('Plants eat sunlight to make sugar!');
    const stream = await harness.client.chat.completions.create({ model: 'explain', messages: [{ role: 'user', content: 'What is photosynthesis?' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Plants eat sunlight to make sugar!');
    const refinerCall = callsTo('gpt-4o-mini-refiner')[0]!.body;
    expect(refinerCall.messages[0]).toEqual({ role: 'system', content: 'Rewrite for a ten-year-old.' });
    expect(refinerCall.messages[1].content).toContain('Photosynthesis converts light energy');
    expect(callsTo('gpt-4o')[0]!.body.stream).toBeUndefined();
    const record = await lastRecord();
    expect(record.attempts.map((attempt: { model: string }) => attempt.model)).toEqual(['classifier', 'gpt-4o', 'refiner']);
  });
});

describe('route configuration', () => {
  it('refuses a route that names a model that does not exist, at startup', async () => {
    await expect(startTestGateway({ models: [], routes: [{ name: 'auto', strategy: 'fixed', model: 'ghost' }] })).rejects.toThrow(/'ghost' is not a configured model/);
  });
});
