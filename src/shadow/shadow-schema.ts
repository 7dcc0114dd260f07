/**
 * Config of the learning loop (docs/learning.md): on a learned route, `shadow` also calls the
 * model the router did not choose and keeps both answers, and `review` queues a share of the
 * judged comparisons for people; at the top level, `judge` grades comparisons with a model.
 */
import { z } from 'zod';

const share = z.number().min(0).max(1);

export const shadowSchema = z.strictObject({
  /** Share of the route's requests that also call the other model of the pair. */
  sample: share,
  /** Shadow calls running at once on this route (per instance); a sampled request beyond it is not shadowed. */
  max_concurrency: z.number().int().positive().default(4),
  /** What this route's shadow calls may spend per UTC day; never a caller's budget. */
  budget_usd_per_day: z.number().nonnegative(),
});

export const reviewSchema = z.strictObject({
  /** Share of the route's judged comparisons queued for human review. */
  sample: share,
});

export const judgeSchema = z.strictObject({
  /** The configured model that grades comparisons (a chat completion with a JSON schema answer). */
  model: z.string().min(1),
  /** Share of comparisons judged. */
  sample: share.default(1),
  /** Judge each pair in both orders and average, to cancel the judge's position bias. */
  swap_positions: z.boolean().default(true),
});

export type ShadowConfig = z.infer<typeof shadowSchema>;
export type ReviewConfig = z.infer<typeof reviewSchema>;
export type JudgeConfig = z.infer<typeof judgeSchema>;
