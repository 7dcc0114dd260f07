/**
 * The comparison store on real SQLite and real PostgreSQL (src/testing/shared-services.ts:
 * skipped visibly when PostgreSQL is unreachable, failing under CI): comparisons newest first,
 * labels from the judge overridden by people, the review queue, shadow and judge spend, feedback,
 * and the export that reads them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropPostgresSchema, sharedServicesFor, TEST_POSTGRES_URL } from '../testing/shared-services.js';
import { diffAnswers } from './answer-diff.js';
import { comparisonLabel, type Comparison } from './comparison.js';
import { exportComparisons } from './comparison-export.js';
import { ComparisonStore } from './comparison-store.js';

const services = await sharedServicesFor('PostgreSQL comparison store tests');

const run = randomBytes(4).toString('hex');
const directory = mkdtempSync(join(tmpdir(), 'switchboard-comparisons-'));
const opened: ComparisonStore[] = [];
const schemas: string[] = [];
let count = 0;

const backends = [
  { name: 'SQLite', available: true, url: () => `sqlite://${join(directory, `store-${count++}.db`)}` },
  {
    name: 'PostgreSQL',
    available: services.available,
    url: () => {
      const schema = `switchboard_comparisons_${run}_${count++}`;
      schemas.push(schema);
      return `${TEST_POSTGRES_URL}?schema=${schema}`;
    },
  },
];

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  for (const schema of schemas) await dropPostgresSchema(schema);
  rmSync(directory, { recursive: true, force: true });
});

function comparison(index: number, route = 'auto', served: 'weak' | 'strong' = 'weak'): Comparison {
  const weak = { model: 'small', answer: `weak answer ${index}`, latency_ms: 120.5, cost_usd: 0.0001, prompt_tokens: 10, completion_tokens: 5 };
  const strong = { model: 'large', answer: `strong answer ${index}`, latency_ms: 480.25, cost_usd: 0.002, prompt_tokens: 10, completion_tokens: 7 };
  return {
    id: `cmp_${index}`,
    created_at: 1_700_000_000_000 + index * 1000,
    request_id: `req_${index}`,
    route,
    key_id: 'key_1',
    served,
    prompt: `Question ${index}`,
    weak,
    strong,
    shadow_cost_usd: served === 'weak' ? strong.cost_usd : weak.cost_usd,
    diff: diffAnswers(weak.answer, strong.answer),
    judgement: null,
    review: null,
  };
}

describe.each(backends)('comparison store on $name', (backend) => {
  it.skipIf(!backend.available)('lists newest first, labels by person over judge, queues reviews, sums learning spend and reads feedback', async () => {
    const store = await ComparisonStore.open(backend.url());
    opened.push(store);
    for (let index = 0; index < 4; index++) await store.insert(comparison(index, index === 3 ? 'other' : 'auto', index === 2 ? 'strong' : 'weak'));

    const listed = await store.list({ route: 'auto', limit: 2 });
    expect(listed.map((item) => item.id)).toEqual(['cmp_2', 'cmp_1']);
    expect(listed[1]).toEqual(comparison(1));

    const judgement = { label: 0.75, model: 'judge', prompt_version: 'pairwise-v1', verdicts: ['strong', 'tie'], calls: 2, cost_usd: 0.0003, at: 1_700_000_100_000 };
    await store.recordJudgement('cmp_0', judgement, true);
    await store.recordJudgement('cmp_1', { ...judgement, label: 0 }, false);
    expect((await store.get('cmp_0'))!.judgement).toEqual(judgement);
    expect(comparisonLabel((await store.get('cmp_0'))!)).toEqual({ label: 0.75, source: 'judge' });
    expect((await store.reviews('pending', 10)).map((item) => item.id)).toEqual(['cmp_0']);
    expect(await store.list({ route: 'auto', limit: 10, labelled: true })).toHaveLength(2);

    const reviewed = await store.recordReview('cmp_0', 'weak_ok', 'the short answer is right', 1_700_000_200_000);
    expect(reviewed!.before.review).toEqual({ status: 'pending', verdict: null, note: null, at: null });
    expect(reviewed!.after.review).toEqual({ status: 'reviewed', verdict: 'weak_ok', note: 'the short answer is right', at: 1_700_000_200_000 });
    expect(comparisonLabel(reviewed!.after)).toEqual({ label: 0, source: 'human' });
    expect(await store.reviews('pending', 10)).toHaveLength(0);
    expect(await store.recordReview('cmp_missing', 'weak_ok', null, 1)).toBeUndefined();

    const call = (index: number, kind: 'shadow' | 'judge', route: string, cost: number, at = 1_700_000_000_000 + index) => ({
      id: `call_${index}`, at, kind, route, request_id: `req_${index}`, comparison_id: null, model: 'large', prompt_tokens: 10, completion_tokens: 7, cost_usd: cost, latency_ms: 12.5, error: null,
    });
    await store.insertCall(call(1, 'shadow', 'auto', 0.002));
    await store.insertCall({ ...call(2, 'shadow', 'auto', 0), error: 'upstream timed out' });
    await store.insertCall(call(3, 'judge', 'auto', 0.0003));
    await store.insertCall(call(4, 'judge', 'auto', 0.0003));
    await store.insertCall(call(5, 'shadow', 'other', 0.001));
    await store.insertCall(call(6, 'shadow', 'auto', 0.5, 1_800_000_000_000));
    const spend = await store.learningSpend(0, 1_750_000_000_000);
    expect(spend.map((row) => row.route)).toEqual(['auto', 'other']);
    expect(spend[0]).toMatchObject({ shadow_calls: 2, judge_calls: 2 });
    expect(spend[0]!.shadow_cost_usd).toBeCloseTo(0.002, 12);
    expect(spend[0]!.judge_cost_usd).toBeCloseTo(0.0006, 12);
    expect(spend[1]).toMatchObject({ shadow_calls: 1, judge_calls: 0 });

    await store.insertFeedback({ id: 'fb_1', request_id: 'req_2', key_id: 'key_1', metric: 'thumbs_up', value: 0, created_at: 5 });
    await store.insertFeedback({ id: 'fb_2', request_id: 'req_2', key_id: 'key_1', metric: 'rating', value: 4, created_at: 6 });
    expect((await store.feedbackFor(['req_2', 'req_9'])).map((entry) => entry.value)).toEqual([0, 4]);

    const exported = (await exportComparisons(store, { route: 'auto' }))!;
    expect(exported.rows.map((row) => [row.id, row.scores])).toEqual([
      ['req_0', { small: 1, large: 0.5 }],
      ['req_1', { small: 1, large: 0.5 }],
    ]);
    expect(exported.counts).toEqual({ human: 1, judge: 1, feedback: 0, unlabelled: 1, other_pair: 0 });
  });
});
