/**
 * Human review: a route's `review.sample` queues judged comparisons; GET /api/reviews lists them;
 * a verdict posted over the API or given with one key in `switchboard review` (a real CLI
 * process driven through stdin) overrides the judge's label, and each is audited.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/cli-process.js';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAICompletion } from '../testing/openai-replies.js';
import { ADMIN_KEY, adminRequest } from '../testing/governance-test-helpers.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

let upstream: FakeUpstream;
let test: TestGateway;

beforeAll(async () => {
  upstream = await FakeUpstream.start((request) => {
    // The judge always prefers the strong answer; the weak and strong models answer differently.
    if (request.body.model === 'judge') {
      const text: string = request.body.messages.at(-1).content;
      return openAICompletion({ content: JSON.stringify({ winner: text.indexOf('STRONG') < text.indexOf('WEAK') ? '1' : '2' }), model: 'judge' });
    }
    return openAICompletion({ content: request.body.model === 'large' ? 'STRONG: the full answer, with detail' : 'WEAK: a short answer', model: request.body.model });
  });
  const model = (name: string) => ({ name, provider: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream' });
  test = await startTestGateway(
    {
      admin_key: ADMIN_KEY,
      models: [model('small'), model('large'), model('judge')],
      routes: [{ name: 'auto', strategy: 'learned', weak: 'small', strong: 'large', threshold: 1, shadow: { sample: 1, budget_usd_per_day: 1 }, review: { sample: 1 } }],
      judge: { model: 'judge' },
    },
    { apiKey: ADMIN_KEY },
  );
  for (const question of ['First question', 'Second question', 'Third question']) await test.client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: question }] });
});

afterAll(async () => {
  await test?.close();
  await upstream?.close();
});

async function pending(count: number): Promise<any[]> {
  const until = Date.now() + 5000;
  for (;;) {
    const { body } = await adminRequest(test.url, 'GET', '/api/reviews?status=pending');
    if (body.data.length >= count || Date.now() > until) return body.data;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('human review', () => {
  it('queues judged comparisons and lets a verdict over the API override the judge, audited', async () => {
    const queue = await pending(3);
    expect(queue.map((item) => item.prompt)).toEqual(['First question', 'Second question', 'Third question']);
    expect(queue.every((item) => item.label === 1 && item.label_source === 'judge' && item.review.status === 'pending')).toBe(true);

    const posted = await adminRequest(test.url, 'POST', `/api/reviews/${queue[0].id}`, { verdict: 'weak_ok', note: 'short is enough here' });
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ label: 0, label_source: 'human', review: { status: 'reviewed', verdict: 'weak_ok', note: 'short is enough here' }, judgement: { label: 1 } });
    expect(await pending(2)).toHaveLength(2);

    const invalid = await adminRequest(test.url, 'POST', `/api/reviews/${queue[1].id}`, { verdict: 'meh' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatchObject({ param: 'verdict', code: 'invalid_value' });
    expect((await adminRequest(test.url, 'POST', '/api/reviews/cmp_nothing', { verdict: 'weak_ok' })).status).toBe(404);

    const audit = (await adminRequest(test.url, 'GET', '/api/audit?action=review.verdict')).body.data;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target: queue[0].id, actor: 'admin', before: { label: 1, label_source: 'judge' }, after: { verdict: 'weak_ok', label: 0, label_source: 'human' } });
  });

  it('takes one key per verdict in `switchboard review`, driven through stdin', async () => {
    await pending(2);
    const config = join(test.databasePath, '..', 'review.yaml');
    writeFileSync(config, `storage:\n  url: sqlite://${test.databasePath}\n`);
    // An unknown key is ignored; b votes "both bad" on the first, then q quits before the second.
    const result = await runCli(['review', '--config', config], { input: 'xbq' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Second question');
    expect(result.stdout).toMatch(/small \(weak\)\s+│ large \(strong\)/);
    // Words only one answer has are marked.
    expect(result.stdout).toContain('[WEAK:]');
    expect(result.stdout).toContain('[STRONG:]');
    expect(result.stdout).toContain('recorded: both_bad');
    expect(result.stdout).toContain('1 reviewed, 0 skipped.');
    // The third was shown, and q left it in the queue.
    expect(result.stdout).toContain('── 2/2 · route auto');

    const left = await pending(1);
    expect(left.map((item) => item.prompt)).toEqual(['Third question']);
    const reviewed = (await adminRequest(test.url, 'GET', '/api/reviews?status=reviewed')).body.data;
    expect(reviewed.find((item: any) => item.prompt === 'Second question')).toMatchObject({ label: 0.5, label_source: 'human', review: { verdict: 'both_bad' } });
    const audit = (await adminRequest(test.url, 'GET', '/api/audit?action=review.verdict')).body.data;
    expect(audit[0].actor).toMatch(/^cli:/);
  });
});
