/**
 * The cost levers a route, a model or a key can set for the requests that name it or use it:
 * cache overrides, a context limit, an output cap. One spread of fields, so the three schemas
 * cannot drift apart. Resolution (most specific last): global → route → model → key
 * (pipeline/lever-settings.ts).
 */
import { z } from 'zod';
import { cacheOverrideSchema } from '../cache/cache-schema.js';
import { contextLimitSchema } from '../context/context-schema.js';

export const leverFields = {
  cache: cacheOverrideSchema.optional(),
  context: contextLimitSchema.optional(),
  /** Clamps a request's max_tokens / max_completion_tokens, or sets it where absent (`x-switchboard-max-tokens`). */
  max_output_tokens: z.number().int().positive().optional(),
};
