/**
 * The shared cache store: entries in Redis, so every instance pointed at the same Redis and key
 * prefix serves the others' answers. Each entry is one string key that expires with its TTL
 * (`SET … PX`); the bound on its size is Redis's own `maxmemory` with an eviction policy
 * (`allkeys-lru`), as for any cache in Redis. Tenant and model are in the key name (base64url,
 * which has no glob characters), so `DELETE /api/cache` can clear by either with a SCAN.
 */
import { Redis } from 'ioredis';
import type { CacheAddress } from './cache-key.js';
import type { CacheEntry } from './cache-entry.js';
import type { CacheClearFilter, CacheStore, LoggedQuestion, SharedQuestionLog } from './cache-store.js';

export class RedisCacheStore implements CacheStore, SharedQuestionLog {
  private readonly redis: Redis;

  constructor(url: string, private readonly prefix: string) {
    // A cache that cannot answer is a miss, quickly: one reconnect attempt, no queueing.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000 });
    this.redis.on('error', () => {});
  }

  async get(address: CacheAddress, now: number): Promise<CacheEntry | undefined> {
    const text = await this.redis.get(this.keyOf(address));
    if (text === null) return undefined;
    const entry = JSON.parse(text) as CacheEntry;
    return entry.expires_at > now ? entry : undefined;
  }

  async set(address: CacheAddress, entry: CacheEntry): Promise<void> {
    const ttlMs = entry.expires_at - entry.created_at;
    if (ttlMs > 0) await this.redis.set(this.keyOf(address), JSON.stringify(entry), 'PX', ttlMs);
  }

  async clear(filter: CacheClearFilter): Promise<number> {
    const tenant = filter.tenant === undefined ? '*' : encode(filter.tenant);
    const model = filter.model === undefined ? '*' : encode(filter.model);
    const pattern = `${this.prefix}cache:${tenant}:${model}:*`;
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await this.redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  }

  /** A Redis stream per partition, trimmed to about `maxLength` and expiring with its newest entry. */
  async appendQuestion(partition: string, question: LoggedQuestion, maxLength: number, ttlMs: number): Promise<void> {
    const key = this.questionsKey(partition);
    const vector = Buffer.from(question.vector.buffer, question.vector.byteOffset, question.vector.byteLength).toString('base64');
    await this.redis.multi().xadd(key, 'MAXLEN', '~', maxLength, '*', 'a', JSON.stringify(question.address), 'v', vector).pexpire(key, ttlMs).exec();
  }

  async questionsSince(partition: string, after: string): Promise<{ last: string; questions: LoggedQuestion[] }> {
    const entries = await this.redis.xrange(this.questionsKey(partition), after === '0' ? '-' : after, '+');
    const questions: LoggedQuestion[] = [];
    let last = after;
    for (const [id, fields] of entries) {
      if (id === after) continue;
      last = id;
      const values = new Map<string, string>();
      for (let index = 0; index + 1 < fields.length; index += 2) values.set(fields[index]!, fields[index + 1]!);
      const bytes = Buffer.from(values.get('v') ?? '', 'base64');
      const vector = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      questions.push({ address: JSON.parse(values.get('a') ?? '{}') as CacheAddress, vector });
    }
    return { last, questions };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private questionsKey(partition: string): string {
    return `${this.prefix}cache-questions:${partition}`;
  }

  private keyOf(address: CacheAddress): string {
    return `${this.prefix}cache:${encode(address.tenant)}:${encode(address.model)}:${address.hash}`;
  }
}

function encode(value: string): string {
  return Buffer.from(value).toString('base64url');
}
