/**
 * Opens the cache's store at startup: Redis when `redis:` is configured (and `store` is not
 * `sqlite`), else the embedded SQLite file — `cache.path`, or `cache.db` beside the request
 * log's SQLite file, or in `.switchboard/` when the log is in PostgreSQL or in memory.
 */
import { dirname, join } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import type { GatewayConfig } from '../config/schema.js';
import type { CacheStore } from './cache-store.js';
import { SqliteCacheStore } from './sqlite-cache-store.js';

export async function openCacheStore(config: GatewayConfig): Promise<CacheStore> {
  const { cache } = config;
  if (cache.store === 'redis' && !config.redis) throw new ConfigError('cache.store: `redis` needs a `redis:` section with its url');
  if (config.redis && cache.store !== 'sqlite') {
    const { RedisCacheStore } = await import('./redis-cache-store.js');
    return new RedisCacheStore(config.redis.url, config.redis.key_prefix);
  }
  return new SqliteCacheStore(cache.path ?? defaultPath(config.storage.url), cache.max_entries);
}

function defaultPath(storageUrl: string): string {
  if (storageUrl.startsWith('sqlite://') && !storageUrl.includes(':memory:')) return join(dirname(storageUrl.slice('sqlite://'.length)), 'cache.db');
  return join('.switchboard', 'cache.db');
}
