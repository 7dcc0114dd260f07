/**
 * The response cache's config (docs/cache.md): set globally under `cache:`, and overridden per
 * route, per model and per key with any subset of the same fields (`cacheOverrideSchema`).
 */
import { z } from 'zod';

export const CACHE_SCOPES = ['key', 'team', 'global'] as const;
export type CacheScope = (typeof CACHE_SCOPES)[number];

const exactSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** How long an answer is served from the cache. */
  ttl_s: z.number().int().positive().default(3600),
});

const semanticSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Cosine similarity at or above which a stored answer is served for a different wording. */
  threshold: z.number().min(0).max(1).default(0.95),
  /** `local`: the in-process static embedder (src/embedding); otherwise a configured embedding model's name. */
  embedding: z.string().min(1).default('local'),
  /** Conversations with more messages than this are not matched semantically: their answer depends on more than the last question. */
  max_messages: z.number().int().positive().default(3),
});

/** What may differ per route, model or key. */
export const cacheOverrideSchema = z.strictObject({
  enabled: z.boolean().optional(),
  exact: exactSchema.partial().optional(),
  semantic: semanticSchema.partial().optional(),
  /** Tenants never share entries unless `global`: `key` (each key its own), `team` (keys of one team share). */
  scope: z.enum(CACHE_SCOPES).optional(),
});
export type CacheOverride = z.infer<typeof cacheOverrideSchema>;

export const cacheConfigSchema = z.strictObject({
  /** Off by default: a cache changes what clients get (an earlier answer), so it is opted into. */
  enabled: z.boolean().default(false),
  exact: exactSchema.prefault({}),
  semantic: semanticSchema.prefault({}),
  scope: z.enum(CACHE_SCOPES).default('key'),
  /** `default`: the embedded SQLite file, or Redis when `redis:` is configured (then shared by every instance). */
  store: z.enum(['default', 'sqlite', 'redis']).default('default'),
  /** The embedded store's file; beside the request log's SQLite file when unset. */
  path: z.string().optional(),
  /** The bound on the embedded store: past it, the least recently used entries go. */
  max_entries: z.number().int().positive().default(10_000),
  /** Answers larger than this (serialised) are not stored. */
  max_entry_bytes: z.number().int().positive().default(1024 * 1024),
  /** Vectors the in-memory semantic index keeps per tenant (least recently used dropped first). */
  semantic_index_size: z.number().int().positive().default(1000),
});
export type CacheConfig = z.infer<typeof cacheConfigSchema>;

/** The settings one request runs with: the global ones with its route's, model's and key's overrides on top. */
export interface CacheSettings {
  enabled: boolean;
  exact: z.infer<typeof exactSchema>;
  semantic: z.infer<typeof semanticSchema>;
  scope: CacheScope;
}

export function mergeCacheSettings(base: CacheSettings, override: CacheOverride | undefined): CacheSettings {
  if (!override) return base;
  return {
    enabled: override.enabled ?? base.enabled,
    exact: { ...base.exact, ...override.exact },
    semantic: { ...base.semantic, ...override.semantic },
    scope: override.scope ?? base.scope,
  };
}
