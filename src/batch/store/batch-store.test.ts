/**
 * The batch store on real SQLite and real PostgreSQL (src/testing/shared-services.ts: skipped
 * visibly when PostgreSQL is unreachable, failing under CI): one instance at a time runs a batch,
 * and a line is answered once however many instances try.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropPostgresSchema, sharedServicesFor, TEST_POSTGRES_URL } from '../../testing/shared-services.js';
import type { BatchJob, LineResult } from './batch-records.js';
import { BatchStore } from './batch-store.js';

const services = await sharedServicesFor('PostgreSQL batch store tests');

const run = randomBytes(4).toString('hex');
const directory = mkdtempSync(join(tmpdir(), 'switchboard-batch-store-'));
const opened: BatchStore[] = [];
const schemas: string[] = [];
let count = 0;

/** Two stores on one fresh database: two gateway instances. */
const backends = [
  {
    name: 'SQLite',
    available: true,
    url: () => `sqlite://${join(directory, `store-${count++}.db`)}`,
  },
  {
    name: 'PostgreSQL',
    available: services.available,
    url: () => {
      const schema = `switchboard_batches_${run}_${count++}`;
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

async function twoInstances(url: string): Promise<[BatchStore, BatchStore]> {
  const first = await BatchStore.open(url);
  const second = await BatchStore.open(url);
  opened.push(first, second);
  return [first, second];
}

function job(id: string, ownerKeyId: string | null = 'key_a'): BatchJob {
  return {
    id, ownerKeyId, endpoint: '/v1/chat/completions', inputFileId: 'file-1', completionWindow: '24h', metadata: null, status: 'in_progress',
    createdAt: Date.now(), expiresAt: Date.now() + 86_400_000, inProgressAt: Date.now(), finalizingAt: null, completedAt: null, failedAt: null,
    expiredAt: null, cancellingAt: null, cancelledAt: null, errors: null, total: 2, completed: 0, failed: 0, outputFileId: null, errorFileId: null,
    hold: null, promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0, costUsd: 0,
  };
}

function line(batchId: string, lineNumber: number) {
  return { batchId, lineNumber, customId: `c${lineNumber}`, url: '/v1/chat/completions', body: '{}', group: 'paced:m', state: 'pending' as const, reservedNano: 10, reservedTokens: 5, succeeded: null, output: null };
}

const RESULT: LineResult = { succeeded: true, output: '{"custom_id":"c1"}', promptTokens: 12, completionTokens: 20, cachedTokens: 0, reasoningTokens: 0, costUsd: 0.25, record: '{}' };

describe.each(backends)('the batch store on $name', ({ available, url }) => {
  it.skipIf(!available)('lets one instance at a time hold a batch, and another take it once the lease lapses', async () => {
    const [first, second] = await twoInstances(url());
    await first.createBatch({ job: job('batch_1'), lines: [line('batch_1', 1)], groups: [] });
    const [a, b] = await Promise.all([first.claim('instance-a', 60_000), second.claim('instance-b', 60_000)]);
    expect([a?.id, b?.id].filter(Boolean)).toEqual(['batch_1']);
    const [holder, other] = a ? (['instance-a', 'instance-b'] as const) : (['instance-b', 'instance-a'] as const);
    expect(await second.renew('batch_1', other, 60_000)).toBe(false);
    expect(await first.updateBatch('batch_1', { status: 'finalizing' }, other)).toBe(false);
    expect(await first.renew('batch_1', holder, 60_000)).toBe(true);
    // The holder dies: once its lease has lapsed the other takes the batch, and the old holder can no longer write.
    const later = Date.now() + 120_000;
    expect((await second.claim(other, 60_000, later))?.id).toBe('batch_1');
    expect(await first.updateBatch('batch_1', { status: 'finalizing' }, holder)).toBe(false);
    expect(await first.updateBatch('batch_1', { status: 'finalizing' }, other)).toBe(true);
  });

  it.skipIf(!available)('records a line’s answer once and counts it once, whoever answers twice', async () => {
    const [first, second] = await twoInstances(url());
    await first.createBatch({ job: job('batch_2'), lines: [line('batch_2', 1), line('batch_2', 2)], groups: [] });
    const results = await Promise.all([first.completeLine('batch_2', 1, RESULT), second.completeLine('batch_2', 1, { ...RESULT, costUsd: 9 })]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = (await first.getBatch('batch_2', { kind: 'all' }))!;
    expect(stored).toMatchObject({ completed: 1, failed: 0, promptTokens: 12, completionTokens: 20 });
    expect([0.25, 9]).toContain(stored.costUsd);
    expect((await first.lines('batch_2', { states: ['pending'] })).map((pending) => pending.lineNumber)).toEqual([2]);
  });

  it.skipIf(!available)('shows a batch and a file to their owner and the admin only', async () => {
    const [store] = await twoInstances(url());
    await store.createBatch({ job: job('batch_3', 'key_a'), lines: [], groups: [] });
    await store.insertFile({ id: 'file-x', ownerKeyId: 'key_a', purpose: 'batch', filename: 'x.jsonl', bytes: 2, createdAt: 1 }, Buffer.from('{}'));
    expect(await store.getBatch('batch_3', { kind: 'owner', keyId: 'key_b' })).toBeUndefined();
    expect(await store.getBatch('batch_3', { kind: 'owner', keyId: null })).toBeUndefined();
    expect((await store.getBatch('batch_3', { kind: 'owner', keyId: 'key_a' }))?.id).toBe('batch_3');
    expect((await store.fileContent('file-x', { kind: 'all' }))?.toString()).toBe('{}');
    expect(await store.fileContent('file-x', { kind: 'owner', keyId: 'key_b' })).toBeUndefined();
  });
});
