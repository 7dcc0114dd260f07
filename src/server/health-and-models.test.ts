/** Probes and the models API a new user reaches first (issue 13), and what is never logged (issue 12, finding 11). */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { ADMIN_KEY } from '../testing/governance-test-helpers.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

let upstream: FakeUpstream;
let harness: TestGateway;
let empty: TestGateway;

beforeAll(async () => {
  upstream = await FakeUpstream.start(() => openAICompletion());
  harness = await startTestGateway(
    { admin_key: ADMIN_KEY, models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream' }], routes: [{ name: 'auto', strategy: 'fixed', model: 'gpt-4o-mini' }] },
    { apiKey: ADMIN_KEY },
  );
  empty = await startTestGateway({});
});
afterAll(async () => {
  await harness?.close();
  await empty?.close();
  await upstream?.close();
});

describe('health probes', () => {
  it('answers live and ready without a key once a model is configured and the store answers', async () => {
    expect((await fetch(`${harness.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${harness.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', problems: [] });
  });

  it('is not ready with no model configured, and says why', async () => {
    const ready = await fetch(`${empty.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not_ready', problems: ['no model is configured'] });
    expect((await fetch(`${empty.url}/health/live`)).status).toBe(200);
  });
});

describe('GET /v1/models/{id}', () => {
  it('retrieves a model and a route with the official client, and 404s an unknown one', async () => {
    expect(await harness.client.models.retrieve('gpt-4o-mini')).toMatchObject({ id: 'gpt-4o-mini', object: 'model', owned_by: 'openai' });
    expect(await harness.client.models.retrieve('auto')).toMatchObject({ id: 'auto', owned_by: 'switchboard-route' });
    const error = await harness.client.models.retrieve('smarty').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });
});

describe('what the request log keeps', () => {
  it('writes no row for unauthenticated requests or unknown paths, however many', async () => {
    await harness.gateway.logWriter.flush();
    const before = (await harness.gateway.store.recent(1000)).length;
    const longPath = `/v1/${'x'.repeat(14_000)}`;
    const sent = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        index % 2 === 0
          ? fetch(`${harness.url}${longPath}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
          : fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-key' }, body: '{}' }),
      ),
    );
    expect(new Set(sent.map((response) => response.status))).toEqual(new Set([404, 401]));
    await harness.gateway.logWriter.flush();
    expect((await harness.gateway.store.recent(1000)).length).toBe(before);
  });
});
