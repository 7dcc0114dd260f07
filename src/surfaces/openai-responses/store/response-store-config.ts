/**
 * The `responses:` section of `switchboard.yaml`: how long responses created with `store: true`
 * are kept, and how many. OpenAI keeps stored responses for 30 days; so does the gateway by
 * default. Requests are stateless unless they ask for `store: true`.
 */
import { z } from 'zod';
import type { ResponseStoreOptions } from './response-store.js';

export const DEFAULT_STORE_TTL_HOURS = 30 * 24;

export const responsesConfigSchema = z.strictObject({
  /** Stored responses older than this are no longer returned or continued, then deleted. 0 keeps them forever. */
  store_ttl_hours: z.number().nonnegative().default(DEFAULT_STORE_TTL_HOURS),
  /** Keep at most this many stored responses; the oldest are deleted first. Unbounded when unset. */
  store_max_responses: z.number().int().positive().optional(),
});

export type ResponsesConfig = z.infer<typeof responsesConfigSchema>;

export function responseStoreOptions(config: ResponsesConfig): ResponseStoreOptions {
  return {
    ttlMs: config.store_ttl_hours === 0 ? undefined : config.store_ttl_hours * 3_600_000,
    maxResponses: config.store_max_responses,
  };
}
