import { afterEach, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { FAULTS, healthy, type Fault } from '../testing/faults.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

const REQUESTS = 400;
const CONCURRENCY = 32;

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.reverse()) await close();
  cleanup = [];
});

async function twoDeployments(faulty: FakeUpstream, good: FakeUpstream): Promise<TestGateway> {
  const harness = await startTestGateway({
    models: [
      {
        name: 'gpt-4o-mini',
        deployments: [
          { provider: 'openai', base_url: `${faulty.url}/v1`, api_key: 'sk-faulty' },
          { provider: 'openai', base_url: `${good.url}/v1`, api_key: 'sk-good' },
        ],
      },
    ],
    timeouts: { connect_ms: 1000, first_token_ms: 1000, total_ms: 8000 },
    retry: { attempts: 3, backoff_ms: 20, max_backoff_ms: 200 },
    cooldown: { failures: 3, window_ms: 10_000, cooldown_ms: 1_000 },
  });
  cleanup.push(() => harness.close());
  return harness;
}

async function inParallel(total: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await task(next++);
  }));
}

interface LoadResult {
  succeeded: number;
  brokenStreams: number;
  faultyRequests: number;
  goodRequests: number;
  spend: { totals: { requests: number; errors: number } };
}

/** 400 requests at concurrency 32 against a model with one faulty and one healthy deployment. */
async function runLoad(fault: Fault): Promise<LoadResult> {
  const faulty = await FakeUpstream.start(fault.handler);
  const good = await FakeUpstream.start(healthy);
  cleanup.push(() => faulty.close(), () => good.close());
  const { client, url } = await twoDeployments(faulty, good);
  let succeeded = 0;
  let brokenStreams = 0;
  await inParallel(REQUESTS, CONCURRENCY, async () => {
    if (!fault.stream) {
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
      if (completion.choices[0]!.message.content === 'Hello! How can I help you today?') succeeded++;
      return;
    }
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    try {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      if (text === 'Hello there!') succeeded++;
    } catch (error) {
      expect(String(error)).toMatch(/upstream/i);
      brokenStreams++;
    }
  });
  const spend = (await (await fetch(`${url}/api/spend?group_by=model`)).json()) as LoadResult['spend'];
  return { succeeded, brokenStreams, faultyRequests: faulty.requests.length, goodRequests: good.requests.length, spend };
}

const recoverable = FAULTS.filter((fault) => !fault.visibleToClient);
const midStream = FAULTS.find((fault) => fault.visibleToClient)!;

describe('one of two deployments failing', () => {
  it.each(recoverable.map((fault) => [fault.name, fault] as const))('%s: 400 requests at concurrency 32 all succeed, and cooldown keeps the faulty deployment to a few dozen', async (_name, fault) => {
    const result = await runLoad(fault);
    expect(result.brokenStreams).toBe(0);
    expect(result.succeeded).toBe(REQUESTS);
    expect(result.faultyRequests).toBeGreaterThan(0);
    expect(result.faultyRequests).toBeLessThanOrEqual(48);
    expect(result.goodRequests).toBeGreaterThanOrEqual(REQUESTS);
    expect(result.spend.totals).toMatchObject({ requests: REQUESTS, errors: 0 });
  });

  it('reset mid-stream: only streams the faulty deployment had started break, each with an error event, and cooldown keeps them to a few dozen', async () => {
    // Failover is impossible once bytes are out: exactly the streams the faulty deployment
    // started are broken, each told so with an error event and logged as an error.
    const result = await runLoad(midStream);
    expect(result.faultyRequests).toBeGreaterThan(0);
    expect(result.faultyRequests).toBeLessThanOrEqual(48);
    expect(result.brokenStreams).toBe(result.faultyRequests);
    expect(result.succeeded).toBe(REQUESTS - result.faultyRequests);
    expect(result.spend.totals).toMatchObject({ requests: REQUESTS, errors: result.faultyRequests });
  });
});
