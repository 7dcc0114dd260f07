/**
 * POST /v1/feedback: a caller records end-user signals against its own requests, with the key it
 * made them with; and feedback labels comparisons no judge or person has, for training.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportComparisons } from '../shadow/comparison-export.js';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { ADMIN_KEY, clientFor, createKey } from '../testing/governance-test-helpers.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

let upstream: FakeUpstream;
let test: TestGateway;

beforeAll(async () => {
  upstream = await FakeUpstream.start((request) => openAICompletion({ content: `answer from ${request.body.model}`, model: request.body.model }));
  const model = (name: string) => ({ name, provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream' });
  test = await startTestGateway(
    { admin_key: ADMIN_KEY, models: [model('small'), model('large')], routes: [{ name: 'auto', strategy: 'learned', weak: 'small', strong: 'large', threshold: 1, shadow: { sample: 1, budget_usd_per_day: 1 } }] },
    { apiKey: ADMIN_KEY },
  );
});

afterAll(async () => {
  await test?.close();
  await upstream?.close();
});

async function feedback(key: string | undefined, body: unknown) {
  const response = await fetch(`${test.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as any };
}

describe('POST /v1/feedback', () => {
  it('records feedback on a request made with the same key, and nobody else\'s', async () => {
    const owner = await createKey(test.url, { name: 'owner' });
    const other = await createKey(test.url, { name: 'other' });
    const { response } = await clientFor(test.url, owner.key).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    const requestId = response.headers.get('x-request-id')!;

    const thumbsDown = await feedback(owner.key, { request_id: requestId, metric: 'thumbs_up', value: false });
    expect(thumbsDown.status).toBe(200);
    expect(thumbsDown.body).toMatchObject({ object: 'feedback', request_id: requestId, key_id: owner.id, metric: 'thumbs_up', value: 0 });
    expect((await feedback(owner.key, { request_id: requestId, metric: 'rating', value: 4.5 })).body.value).toBe(4.5);

    const stranger = await feedback(other.key, { request_id: requestId, metric: 'thumbs_up', value: true });
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.message).toMatch(/was made with this key/);
    expect((await feedback(owner.key, { request_id: 'req_unknown', metric: 'thumbs_up', value: true })).status).toBe(404);
    expect((await feedback(undefined, { request_id: requestId, metric: 'thumbs_up', value: true })).status).toBe(401);
    const invalid = await feedback(owner.key, { request_id: requestId, metric: 'thumbs_up', value: 'yes' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatchObject({ param: 'value', code: 'invalid_value' });
    expect((await feedback(ADMIN_KEY, { request_id: requestId, metric: 'thumbs_up', value: true })).status).toBe(200);

    // A thumbs-down and a thumbs-up on the weak answer, no judge: the comparison is labelled 0.5
    // with --feedback (the 4.5 rating is off the 0..1 scale and left out), unlabelled without.
    const until = Date.now() + 5000;
    while ((await test.gateway.learning.store.list({ route: 'auto', limit: 10 })).length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    const withFeedback = (await exportComparisons(test.gateway.learning.store, { route: 'auto', feedback: true }))!;
    expect(withFeedback.counts).toMatchObject({ feedback: 1, unlabelled: 0 });
    expect(withFeedback.rows[0]!.scores).toEqual({ small: 0.5, large: 0.5 });
    expect((await exportComparisons(test.gateway.learning.store, { route: 'auto' }))!.counts).toMatchObject({ feedback: 0, unlabelled: 1 });
  });
});
