import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyRecord } from '../request-record.js';
import { ThreadedSqliteRequestLogStore } from './threaded-sqlite-request-log-store.js';

function record(index: number) {
  const entry = emptyRecord(`req_${index}`, '/v1/chat/completions', Date.UTC(2026, 0, 2, 3, 4, 5) + index);
  entry.served_model = 'gpt-4o-mini';
  entry.prompt_tokens = 10;
  entry.completion_tokens = 5;
  entry.cost_usd = 0.001;
  entry.streamed = index % 2 === 0;
  entry.attempts = [{ deployment: 'gpt-4o-mini#0', model: 'gpt-4o-mini', provider: 'openai', status: 200, error_code: null, latency_ms: 1.5 }];
  entry.metadata = { team: 'search' };
  return entry;
}

describe('SQLite request log written on a worker thread', () => {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  it('has every row committed and readable once insertMany resolves, field for field', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-threaded-'));
    directories.push(directory);
    const store = new ThreadedSqliteRequestLogStore(join(directory, 'log.db'));
    await store.insertMany(Array.from({ length: 250 }, (_, index) => record(index)));
    await store.insertMany([record(250)]);

    const [row] = await store.spend({ groupBy: 'model' });
    expect(row).toMatchObject({ group: 'gpt-4o-mini', requests: 251, prompt_tokens: 2510, completion_tokens: 1255 });
    const [latest] = await store.recent(1);
    expect(latest).toEqual(record(250));
    await store.close();

    const database = new Database(join(directory, 'log.db'), { readonly: true });
    expect(database.prepare('SELECT day, streamed FROM request_log WHERE id = ?').get('req_4')).toEqual({ day: '2026-01-02', streamed: 1 });
    database.close();
  });

  it('closes cleanly when it never wrote (read-only CLI use starts no thread)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-threaded-'));
    directories.push(directory);
    const store = new ThreadedSqliteRequestLogStore(join(directory, 'log.db'));
    expect(await store.recent(5)).toEqual([]);
    await store.close();
  });
});
