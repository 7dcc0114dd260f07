import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUpstream } from '../testing/fake-upstream.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';
import { MemoryCounterStore } from './counters/memory-counter-store.js';
import { ADMIN_KEY, clientFor, createKey, pricedModels, startSpendingUpstream, tryChat } from '../testing/governance-test-helpers.js';

let upstream: FakeUpstream;
let test: TestGateway;

beforeAll(async () => {
  upstream = await startSpendingUpstream();
  test = await startTestGateway({ admin_key: ADMIN_KEY, models: pricedModels(upstream.url), governance: { teams: { search: { rpm: 5 } } } });
});
afterAll(async () => {
  await test?.close();
  await upstream?.close();
});

describe('rate limits through the gateway', () => {
  it('admits no more than 30 requests a minute for rpm: 30; the 31st gets 429 with Retry-After and x-ratelimit headers', async () => {
    const { key } = await createKey(test.url, { name: 'rpm-30', rpm: 30 });
    const client = clientFor(test.url, key);
    const results = await Promise.all(Array.from({ length: 40 }, () => tryChat(client, 'gpt-4o-mini', 5)));
    const admitted = results.filter((result) => result.ok);
    const limited = results.filter((result) => !result.ok);
    expect(admitted.length).toBe(30);
    expect(limited.length).toBe(10);
    for (const result of limited) {
      expect(result.status).toBe(429);
      expect(result.code).toBe('rate_limit_exceeded');
      expect(result.message).toMatch(/30 requests per minute/);
      const retryAfter = Number(result.headers!.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(result.headers!.get('x-ratelimit-limit-requests')).toBe('30');
      expect(result.headers!.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(result.headers!.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?s$|^\d+ms$/);
    }
    // Admitted responses carry the headers too, counting down.
    const remaining = admitted.map((result) => Number(result.headers.get('x-ratelimit-remaining-requests'))).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 30 }, (_, index) => index));
  });

  it('limits tokens per minute, counting max_tokens until the actual usage is known', async () => {
    const { key } = await createKey(test.url, { name: 'tpm', tpm: 400 });
    const client = clientFor(test.url, key);
    const first = await tryChat(client, 'gpt-4o-mini', 100);
    expect(first.ok).toBe(true);
    expect(first.ok && first.headers.get('x-ratelimit-limit-tokens')).toBe('400');
    const results = [];
    for (let index = 0; index < 6; index++) results.push(await tryChat(client, 'gpt-4o-mini', 100));
    const limited = results.find((result) => !result.ok);
    expect(limited?.status).toBe(429);
    expect(limited?.headers?.get('x-ratelimit-remaining-tokens')).toBeDefined();
  });

  it('applies a team limit across all keys of the team', async () => {
    const first = await createKey(test.url, { name: 'search-1', team: 'search' });
    const second = await createKey(test.url, { name: 'search-2', team: 'search' });
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => tryChat(clientFor(test.url, index % 2 ? first.key : second.key), 'gpt-4o-mini', 5)));
    expect(results.filter((result) => result.ok).length).toBe(5);
    const limited = results.find((result) => !result.ok);
    expect(limited?.message).toMatch(/team 'search'/);
  });
});

describe('sliding window', () => {
  it('never admits more than the limit in any 60-second span, and admits again once the oldest request leaves', async () => {
    let now = 1_000_000;
    const counters = new MemoryCounterStore(() => now);
    const window = { key: 'key:k:rpm', limit: 30, weight: 1, windowMs: 60_000 };
    const admittedAt: number[] = [];
    // One attempt every 500 ms for three minutes.
    for (let step = 0; step < 360; step++) {
      now = 1_000_000 + step * 500;
      if ((await counters.acquireRate(`r${step}`, [window])).ok) admittedAt.push(now);
    }
    for (const start of admittedAt) {
      expect(admittedAt.filter((at) => at >= start && at < start + 60_000).length).toBeLessThanOrEqual(30);
    }
    expect(admittedAt.length).toBe(90);

    now = 10_000_000;
    for (let index = 0; index < 30; index++) expect((await counters.acquireRate(`b${index}`, [window])).ok).toBe(true);
    now += 59_000;
    const refused = await counters.acquireRate('late', [window]);
    expect(refused.ok).toBe(false);
    expect(refused.states[0]!.resetMs).toBe(1000);
    now += 1001;
    expect((await counters.acquireRate('later', [window])).ok).toBe(true);
  });
});
