/**
 * Config of spend governance: limits for teams and end users (keys carry their own, set through
 * the admin API), the degradation policy shape, and the Redis counters for many instances.
 * Keys are snake_case like the rest of `switchboard.yaml`.
 */
import { z } from 'zod';

export const BUDGET_PERIODS = ['day', 'week', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** One step of progressive degradation, applied once `at` (a share of the budget, 0.8 = 80%) is used. */
export const degradationStepSchema = z.strictObject({
  at: z.number().gt(0).max(1),
  /** Send `auto` routes and strong-model requests to the weak model. */
  use_weak_model: z.boolean().default(false),
  /** Cap `max_tokens` (and `max_completion_tokens`) at this many tokens. */
  max_tokens: z.number().int().positive().optional(),
  /** Prepend a system instruction asking for short answers. */
  concise: z.boolean().default(false),
});

export const degradationSchema = z.strictObject({
  steps: z.array(degradationStepSchema).default([]),
  /** At 100%: `block` refuses (a hard cap); `weak_only` still serves the weak model past the cap. */
  at_limit: z.enum(['block', 'weak_only']).default('block'),
  /** Weak model for requests that name a model no route knows as its strong model. */
  weak_model: z.string().optional(),
  /** The instruction `concise` adds. */
  concise_instruction: z.string().default('Be concise: answer in as few words as the question allows.'),
});

/** Budgets and rate limits of one key, team or end user. */
export const limitsFields = {
  budget_usd: z.number().positive().optional(),
  budget_tokens: z.number().int().positive().optional(),
  budget_period: z.enum(BUDGET_PERIODS).default('month'),
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
  degradation: degradationSchema.optional(),
};
export const limitsSchema = z.strictObject(limitsFields);

export const governanceSchema = z.strictObject({
  /** Limits per team, by team name. Keys join a team with `team`. */
  teams: z.record(z.string(), limitsSchema).default({}),
  end_users: z
    .strictObject({
      /** Limits every end user (the request's `user` field) gets unless listed in `users`. */
      default: limitsSchema.optional(),
      users: z.record(z.string(), limitsSchema).default({}),
    })
    .prefault({}),
  /** Output tokens reserved when neither the request's max_tokens nor the model's max_output_tokens is set. */
  default_max_output_tokens: z.number().int().positive().default(4096),
  /** How long a key looked up from the store is trusted before it is read again (revocations take effect within this). */
  key_cache_ms: z.number().int().nonnegative().default(2000),
  /** A reservation whose instance died before settling is released after this long. */
  reservation_ttl_ms: z.number().int().positive().default(15 * 60_000),
});

export const redisSchema = z.strictObject({
  url: z.string().regex(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' }),
  /** Prefix of every key Switchboard writes, so several gateways (or test runs) can share one Redis. */
  key_prefix: z.string().default('switchboard:'),
});

export type Limits = z.infer<typeof limitsSchema>;
export type DegradationPolicy = z.infer<typeof degradationSchema>;
export type DegradationStep = z.infer<typeof degradationStepSchema>;
export type GovernanceConfig = z.infer<typeof governanceSchema>;
export type RedisConfig = z.infer<typeof redisSchema>;
