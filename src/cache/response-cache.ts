/**
 * The cache's long-lived parts, opened once at startup and kept across config reloads: the store
 * and the semantic index over it. Absent when no config turns the cache on.
 */
import type { GatewayConfig } from '../config/schema.js';
import { sharedStaticEmbedder } from '../embedding/default-embedder.js';
import type { CacheStore } from './cache-store.js';
import { openCacheStore } from './open-cache-store.js';
import { SemanticCache, type Embed } from './semantic-cache.js';

export interface ResponseCache {
  store: CacheStore;
  semantic: SemanticCache;
  close(): Promise<void>;
}

/** True when the global config, or any route or model, turns the cache on. */
export function cacheConfigured(config: GatewayConfig): boolean {
  return config.cache.enabled || [...config.routes, ...config.models].some((named) => named.cache?.enabled === true);
}

/**
 * `embedModel` embeds with a configured embedding model (through the gateway's reliability
 * layer); `local` never calls it.
 */
export async function openResponseCache(config: GatewayConfig, embedModel: Embed): Promise<ResponseCache | undefined> {
  if (!cacheConfigured(config)) return undefined;
  const store = await openCacheStore(config);
  const embed: Embed = (text, model, scope) => (model === 'local' ? Promise.resolve(sharedStaticEmbedder().embed(text)) : embedModel(text, model, scope));
  const semantic = new SemanticCache(store, embed, config.cache.semantic_index_size);
  return { store, semantic, close: () => store.close() };
}
