/**
 * Context limits (docs/cache.md, "Context limits"): a longest input per route, model or key,
 * and what to do with a longer one.
 */
import { z } from 'zod';

export const CONTEXT_POLICIES = ['reject', 'trim', 'summarize'] as const;

export const contextLimitSchema = z
  .strictObject({
    max_input_tokens: z.number().int().positive(),
    /** `reject`: 400 context_too_long; `trim`: drop the oldest whole turns; `summarize`: replace them with a summary. */
    policy: z.enum(CONTEXT_POLICIES).default('trim'),
    /** Turns (a user message and what answers it) always kept at the end of the conversation. */
    keep_last_turns: z.number().int().nonnegative().default(6),
    /** The model that writes the summary for `policy: summarize`. */
    summarize_model: z.string().min(1).optional(),
  })
  .superRefine((limit, context) => {
    if (limit.policy === 'summarize' && !limit.summarize_model) {
      context.addIssue({ code: 'custom', path: ['summarize_model'], message: '`policy: summarize` needs `summarize_model`, the model that writes the summary' });
    }
  });
export type ContextLimit = z.infer<typeof contextLimitSchema>;
