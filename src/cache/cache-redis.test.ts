/**
 * Two gateway instances sharing one Redis: an answer bought through one is served by the other,
 * exactly or for a paraphrase, and clearing through one clears it for both.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { deleteRedisPrefix, sharedServicesFor, TEST_REDIS_URL } from '../testing/shared-services.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';
import { ADMIN_KEY, adminRequest, clientFor, createKey } from '../testing/governance-test-helpers.js';

const services = await sharedServicesFor('shared-cache test');

const keyPrefix = `switchboard-test-${randomBytes(4).toString('hex')}:`;
let upstream: FakeUpstream;
const instances: TestGateway[] = [];

describe.skipIf(!services.available)('a cache shared by two instances over Redis', () => {
  beforeAll(async () => {
    upstream = await FakeUpstream.start(() => openAICompletion({ content: 'Shared answer.' }));
    for (let index = 0; index < 2; index++) {
      instances.push(
        await startTestGateway({
          admin_key: ADMIN_KEY,
          cache: { enabled: true, scope: 'global', semantic: { enabled: true } },
          redis: { url: TEST_REDIS_URL, key_prefix: keyPrefix },
          models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream', price: { input: 1, output: 2 } }],
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
    await upstream?.close();
    await deleteRedisPrefix(keyPrefix);
  });

  it('serves through one instance what the other stored, and clears it for both', async () => {
    const [first, second] = instances as [TestGateway, TestGateway];
    // Different keys on different instances: `scope: global` shares entries between tenants.
    const keyA = await createKey(first.url, { name: 'a' });
    const keyB = await createKey(second.url, { name: 'b' });
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Shared question?' }] };
    const bought = await clientFor(first.url, keyA.key).chat.completions.create(body).withResponse();
    expect(bought.response.headers.get('x-switchboard-cache')).toBe('MISS');
    const served = await clientFor(second.url, keyB.key).chat.completions.create(body).withResponse();
    expect(served.response.headers.get('x-switchboard-cache')).toBe('HIT');
    expect(served.data).toEqual(bought.data);
    expect(upstream.requests).toHaveLength(1);

    const cleared = await adminRequest(second.url, 'DELETE', '/api/cache?scope=global&model=gpt-4o-mini');
    expect(cleared.body.deleted).toBe(1);
    const again = await clientFor(first.url, keyA.key).chat.completions.create(body).withResponse();
    expect(again.response.headers.get('x-switchboard-cache')).toBe('MISS');
    expect(upstream.requests).toHaveLength(2);
  });

  it('serves a paraphrase through one instance of a question the other stored', async () => {
    const [first, second] = instances as [TestGateway, TestGateway];
    const ask = (instance: TestGateway, content: string) =>
      clientFor(instance.url, ADMIN_KEY).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content }] }).withResponse();
    const before = upstream.requests.length;
    expect((await ask(first, 'What is the capital of France?')).response.headers.get('x-switchboard-cache')).toBe('MISS');
    const paraphrase = await ask(second, "What's France's capital city?");
    expect(paraphrase.response.headers.get('x-switchboard-cache')).toBe('SEMANTIC_HIT');
    expect(Number(paraphrase.response.headers.get('x-switchboard-cache-similarity'))).toBeGreaterThanOrEqual(0.95);
    expect(upstream.requests.length).toBe(before + 1);
  });
});
