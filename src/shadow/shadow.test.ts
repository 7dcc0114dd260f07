/**
 * Shadow tests through the real gateway: the official openai client calls a learned route with
 * `shadow.sample: 1`, fake upstreams answer for the weak and the strong model, and the
 * comparison records, the caller's bill and the shadow budget are read back over the admin API.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeUpstream, type FakeRequest } from '../testing/fake-upstream.js';
import { openAICompletion, openAIStream } from '../testing/openai-replies.js';
import { ADMIN_KEY, adminRequest, clientFor, createKey } from '../testing/governance-test-helpers.js';
import { loadTokenizer } from '../cost/token-counter.js';
import { estimateReservation, reachableSteps } from '../governance/budgets/reservation-estimate.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

const WEAK = 'gpt-4o-mini';
const STRONG = 'gpt-4o';
const WEAK_ANSWER = '{"city": "Paris", "population": 2100000}';
const STRONG_ANSWER = '{"city": "Paris", "population": 2102650, "country": "France"}';

let upstream: FakeUpstream | undefined;
let test: TestGateway | undefined;

afterEach(async () => {
  await test?.close();
  await upstream?.close();
  test = undefined;
  upstream = undefined;
});

/** A gate the test opens: the strong model's (shadow) reply waits for it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

function answerFor(request: FakeRequest, strongGate?: Promise<void>) {
  const strong = request.body.model === STRONG;
  const content = strong ? STRONG_ANSWER : WEAK_ANSWER;
  if (request.body.stream) return openAIStream([content.slice(0, 10), content.slice(10)], { model: request.body.model, promptTokens: 12, completionTokens: strong ? 20 : 10 });
  const reply = openAICompletion({ content, model: request.body.model, promptTokens: 12, completionTokens: strong ? 20 : 10 });
  return strong && strongGate ? strongGate.then(() => reply) : reply;
}

async function start(options: { shadow?: Record<string, unknown>; threshold?: number; strongGate?: Promise<void>; server?: Record<string, unknown> } = {}) {
  upstream = await FakeUpstream.start((request) => answerFor(request, options.strongGate));
  const model = (name: string, price: { input: number; output: number }) => ({ name, provider: 'openai', base_url: `${upstream!.url}/v1`, api_key: 'sk-upstream', price });
  test = await startTestGateway({
    admin_key: ADMIN_KEY,
    server: options.server,
    models: [model(WEAK, { input: 0.15, output: 0.6 }), model(STRONG, { input: 2.5, output: 10 })],
    // threshold 1: every request goes to the weak model, so the shadow call is the strong one.
    routes: [{ name: 'auto', strategy: 'learned', weak: WEAK, strong: STRONG, threshold: options.threshold ?? 1, shadow: { sample: 1, max_concurrency: 4, budget_usd_per_day: 5, ...options.shadow } }],
  }, { apiKey: ADMIN_KEY });
  return test;
}

async function strongCalled(): Promise<void> {
  const until = Date.now() + 5000;
  while (!upstream!.requests.some((request) => request.body.model === STRONG)) {
    if (Date.now() > until) throw new Error('the shadow call never reached the strong model');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function comparisons(count: number, timeoutMs = 5000): Promise<any[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await adminRequest(test!.url, 'GET', '/api/comparisons?route=auto&limit=1000');
    if (body.data.length >= count || Date.now() > until) return body.data;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('shadow tests', () => {
  it('answers the caller before the shadow call returns, then records both answers with a diff', async () => {
    const strongGate = gate();
    await start({ strongGate: strongGate.opened });
    const { key } = await createKey(test!.url, { name: 'caller' });
    let requestId: string | null;
    try {
      const { data: completion, response } = await clientFor(test!.url, key).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'What is the population of Paris? Answer as JSON.' }] }).withResponse();
      requestId = response.headers.get('x-request-id');
      expect(completion.choices[0]!.message.content).toBe(WEAK_ANSWER);
      // The caller has its answer while the shadow call is held at the strong model.
      await strongCalled();
      expect(await comparisons(1, 200)).toHaveLength(0);
    } finally {
      strongGate.open();
    }

    const [comparison] = await comparisons(1);
    expect(comparison).toMatchObject({
      route: 'auto',
      served: 'weak',
      prompt: 'What is the population of Paris? Answer as JSON.',
      weak: { model: WEAK, answer: WEAK_ANSWER, prompt_tokens: 12, completion_tokens: 10 },
      strong: { model: STRONG, answer: STRONG_ANSWER, prompt_tokens: 12, completion_tokens: 20 },
      label: null,
    });
    expect(comparison.request_id).toBe(requestId);
    expect(comparison.weak.cost_usd).toBeCloseTo((12 * 0.15 + 10 * 0.6) / 1e6, 12);
    expect(comparison.strong.cost_usd).toBeCloseTo((12 * 2.5 + 20 * 10) / 1e6, 12);
    expect(comparison.shadow_cost_usd).toBeCloseTo(comparison.strong.cost_usd, 12);
    expect(comparison.strong.latency_ms).toBeGreaterThan(0);
    expect(comparison.diff).toMatchObject({ exact_match: false, json: { equal: false } });
    expect(comparison.diff.json.differences).toEqual([
      { path: '$.population', kind: 'value' },
      { path: '$.country', kind: 'strong_only' },
    ]);
    expect(comparison.diff.token_similarity).toBeGreaterThan(0.5);
    expect(comparison.diff.token_similarity).toBeLessThan(1);
    const tooMany = await adminRequest(test!.url, 'GET', '/api/comparisons?route=auto&limit=1001');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatchObject({ param: 'limit', code: 'invalid_value' });
  });

  it('keeps a streamed answer and shadows the weak model when the strong one served', async () => {
    await start({ threshold: 0 });
    const stream = await test!.client.chat.completions.create({ model: 'auto', stream: true, messages: [{ role: 'user', content: 'Stream it' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(STRONG_ANSWER);
    const [comparison] = await comparisons(1);
    expect(comparison).toMatchObject({ served: 'strong', strong: { answer: STRONG_ANSWER }, weak: { answer: WEAK_ANSWER } });
    // The shadow call is a whole completion, whatever the caller asked for.
    const shadowCall = upstream!.requests.find((request) => request.body.model === WEAK)!;
    expect(shadowCall.body.stream).toBeFalsy();
  });

  it('never puts a shadow call on the caller\'s bill: key budget, spend report and request log hold the served call only', async () => {
    await start({ shadow: { budget_usd_per_day: 1 } });
    const weakCost = (12 * 0.15 + 10 * 0.6) / 1e6;
    // The shadow call is sent max_tokens 10 too, so it is billed 10 of the 20 tokens the fake reports.
    const strongCost = (12 * 2.5 + 10 * 10) / 1e6;
    // Admission holds the route's most expensive outcome (the strong model). This budget admits
    // six requests when each costs the caller one weak call, and only one if the strong shadow
    // call were charged too.
    const question = (index: number) => ({ model: 'auto', max_tokens: 10, messages: [{ role: 'user' as const, content: `Question ${index}` }] });
    const { gateway } = test!;
    // Admission counts prompt tokens with the real tokenizer, as this estimate must.
    await loadTokenizer();
    const held = estimateReservation(question(0), reachableSteps('auto', gateway.registry, gateway.routes), gateway.config.governance.default_max_output_tokens).costUsd;
    expect(held).toBeGreaterThanOrEqual(strongCost);
    const { id, key } = await createKey(test!.url, { name: 'tight', budget_usd: held + weakCost * 5.5, budget_period: 'day' });
    const client = clientFor(test!.url, key);
    for (let index = 0; index < 6; index++) {
      const completion = await client.chat.completions.create(question(index)).catch((error) => { throw new Error(`request ${index}: ${error.message}`); });
      expect(completion.choices[0]!.message.content).toBe(WEAK_ANSWER);
      // Settlement runs just after the answer is sent; the next request must see it.
      while (gateway.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const recorded = await comparisons(6);
    expect(recorded).toHaveLength(6);
    expect(recorded.every((comparison) => comparison.key_id === id)).toBe(true);

    const spend = (await adminRequest(test!.url, 'GET', '/api/spend?group_by=key')).body;
    const row = spend.data.find((candidate: { group: string }) => candidate.group === id);
    expect(row.requests).toBe(6);
    expect(row.cost_usd).toBeCloseTo(6 * weakCost, 12);
    expect(spend.totals.cost_usd).toBeCloseTo(6 * weakCost, 12);
    expect(spend.shadow).toMatchObject({ calls: 6 });
    expect(spend.shadow.cost_usd).toBeCloseTo(6 * strongCost, 12);
    // The seventh does not fit: the budget was sized for six weak calls, and is not bigger.
    const seventh = await client.chat.completions.create(question(7)).catch((error) => error);
    expect(seventh.status).toBe(429);
    const requestLog = (await test!.gateway.store.recent(100)).filter((record) => record.key_id === id && record.status === 200);
    expect(requestLog).toHaveLength(6);
    expect(requestLog.every((record) => record.served_model === WEAK && record.attempts.length === 1)).toBe(true);
  });

  it('stops shadowing when the day\'s shadow budget is spent', async () => {
    const strongCost = (12 * 2.5 + 20 * 10) / 1e6;
    // The reservation holds the most a call may cost (max_tokens 20 → 20 output tokens): room for exactly 3.
    await start({ shadow: { budget_usd_per_day: strongCost * 3.5 } });
    for (let index = 0; index < 6; index++) {
      await test!.client.chat.completions.create({ model: 'auto', max_tokens: 20, messages: [{ role: 'user', content: `Question ${index}` }] });
      await comparisons(Math.min(index + 1, 3), 2000);
    }
    const recorded = await comparisons(6, 300);
    expect(recorded).toHaveLength(3);
    expect(upstream!.requests.filter((request) => request.body.model === STRONG)).toHaveLength(3);
  });

  it('cancels the shadow call when the client goes away, and records nothing', async () => {
    const strongGate = gate();
    await start({ strongGate: strongGate.opened });
    upstream!.setHandler((request) =>
      request.body.model === STRONG ? strongGate.opened.then(() => answerFor(request)) : openAIStream(['a', 'b', 'c', 'd'], { model: WEAK, gapMs: 200 }),
    );
    const controller = new AbortController();
    const stream = await test!.client.chat.completions.create({ model: 'auto', stream: true, messages: [{ role: 'user', content: 'Long story' }] }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await strongCalled();
    controller.abort();
    await iterator.next().catch(() => undefined);
    // Wait until the gateway has seen the cancel and run the request's finish hooks.
    const until = Date.now() + 3000;
    while (test!.gateway.learning.runner.running('auto') > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(test!.gateway.learning.runner.running('auto')).toBe(0);
    strongGate.open();
    expect(await comparisons(1, 300)).toHaveLength(0);
    // The cancelled call is still in the shadow call log, priced at what it cost (nothing came back).
    const spend = (await adminRequest(test!.url, 'GET', '/api/spend')).body;
    expect(spend.shadow).toMatchObject({ calls: 1, cost_usd: 0 });
  });

  it('does not hold shutdown past the drain timeout for a hanging shadow call', async () => {
    await start({ server: { drain_timeout_ms: 300 } });
    upstream!.setHandler((request) => (request.body.model === STRONG ? { hang: true } : answerFor(request)));
    await test!.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Hello' }] });
    await strongCalled();
    expect(test!.gateway.learning.runner.running('auto')).toBe(1);
    const closing = test!.close();
    const outcome = await Promise.race([closing.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('still open'), 5000))]);
    expect(outcome).toBe('closed');
    test = undefined;
  });
});
