/**
 * Routes: model names clients can send that pick a real model per request. One schema per
 * strategy, discriminated by `strategy`.
 */
import { z } from 'zod';
import { reviewSchema, shadowSchema } from '../shadow/shadow-schema.js';
import { leverFields } from '../config/lever-fields.js';
import { routeGuardrailFields } from '../guardrails/guardrails-schema.js';

const name = z.string().min(1);
const share = z.number().min(0).max(1);

const fixedRoute = z.strictObject({
  name,
  strategy: z.literal('fixed'),
  ...leverFields,
  ...routeGuardrailFields,
  model: name,
  /** Optional: the flagship this route stands in for, so savings are reported against it. */
  strong: name.optional(),
});

const randomRoute = z.strictObject({
  name,
  strategy: z.literal('random'),
  ...leverFields,
  ...routeGuardrailFields,
  weak: name,
  strong: name,
  /** Share of requests sent to the strong model. */
  strong_share: share.default(0.5),
});

/** Conditions of one rule; all given conditions must hold. */
export const ruleConditionSchema = z.strictObject({
  /** Request `metadata` entries that must be equal. */
  metadata: z.record(z.string(), z.string()).optional(),
  /** Tags from `metadata.tags` (comma-separated) or the `x-switchboard-tags` header; any one matches. */
  tags: z.array(z.string()).min(1).optional(),
  /** HTTP headers (lower-case names) that must be equal, e.g. `x-switchboard-tier: premium`. */
  headers: z.record(z.string(), z.string()).optional(),
  /** A regular expression tested against the last user message (case-insensitive). */
  message_matches: z.string().optional(),
  has_images: z.boolean().optional(),
  has_tools: z.boolean().optional(),
  json_mode: z.boolean().optional(),
  /** Estimated prompt tokens (~4 characters a token) at least / at most this. */
  min_prompt_tokens: z.number().int().nonnegative().optional(),
  max_prompt_tokens: z.number().int().nonnegative().optional(),
  /** Virtual key ids, or end users (the OpenAI `user` field); any one matches. */
  keys: z.array(z.string()).min(1).optional(),
  users: z.array(z.string()).min(1).optional(),
});

const rulesRoute = z.strictObject({
  name,
  strategy: z.literal('rules'),
  ...leverFields,
  ...routeGuardrailFields,
  rules: z.array(z.strictObject({ when: ruleConditionSchema, model: name, reason: z.string().optional() })).min(1),
  /** The model when no rule matches. */
  default: name,
  weak: name.optional(),
  strong: name.optional(),
});

const learnedRoute = z
  .strictObject({
    name,
    strategy: z.literal('learned'),
    ...leverFields,
    ...routeGuardrailFields,
    weak: name,
    strong: name,
    /** A router file made by `switchboard router train`; the shipped default router when omitted. */
    router: z.string().optional(),
    threshold: z.number().min(0).max(1).optional(),
    /** Share of traffic to send to the strong model, calibrated on `calibration_data`. */
    strong_share: share.optional(),
    /** Routing-dataset files (JSONL with a `prompt` per line) whose scores set the threshold for `strong_share`. */
    calibration_data: z.array(z.string()).min(1).optional(),
    /** Also call the model the router did not choose, off the request path, and keep both answers (src/shadow). */
    shadow: shadowSchema.optional(),
    /** Queue a share of the judged comparisons for human review; needs `shadow`. */
    review: reviewSchema.optional(),
  })
  .superRefine((route, context) => {
    if (route.review && !route.shadow) context.addIssue({ code: 'custom', path: ['review'], message: '`review` needs `shadow`: only compared requests can be reviewed' });
    if ((route.threshold === undefined) === (route.strong_share === undefined)) {
      context.addIssue({ code: 'custom', path: ['threshold'], message: 'give either `threshold` or `strong_share`' });
    }
    if (route.strong_share !== undefined && !route.calibration_data) {
      context.addIssue({ code: 'custom', path: ['calibration_data'], message: '`strong_share` needs `calibration_data` (files of prompts to calibrate the threshold on)' });
    }
  });

const cascadeRoute = z.strictObject({
  name,
  strategy: z.literal('cascade'),
  ...leverFields,
  ...routeGuardrailFields,
  weak: name,
  strong: name,
  checks: z
    .strictObject({
      /** Accept only answers with at least this many characters of content (or a tool call). */
      min_characters: z.number().int().nonnegative().default(1),
      /** Accept only answers that finished naturally (`stop` or `tool_calls`), not cut at `length`. */
      require_stop: z.boolean().default(true),
      /** When JSON was asked for, accept only answers that parse as JSON. */
      valid_json: z.boolean().default(true),
      /** Reject answers that refuse or hedge ("I'm not sure", "As an AI…"). */
      reject_hedging: z.boolean().default(true),
      /** Reject when the mean token log-probability is below this (asks the weak model for logprobs). */
      min_mean_logprob: z.number().max(0).optional(),
      /** A model asked whether the weak answer is correct and complete; it must answer YES. */
      verifier: z.strictObject({ model: name, instruction: z.string().optional() }).optional(),
    })
    .prefault({}),
});

const pipelineRoute = z.strictObject({
  name,
  strategy: z.literal('pipeline'),
  ...leverFields,
  ...routeGuardrailFields,
  classify: z.strictObject({
    model: name,
    /** Class label → the model that solves requests of that class. */
    classes: z.record(z.string(), name).refine((classes) => Object.keys(classes).length >= 2, 'list at least two classes'),
    /** Optional guidance for the classifier, e.g. what counts as `hard`. */
    instruction: z.string().optional(),
    /** The class used when the classifier's answer names none. */
    default: z.string(),
  }),
  refine: z.strictObject({ model: name, instruction: z.string() }).optional(),
  weak: name.optional(),
  strong: name.optional(),
});

const experimentRoute = z
  .strictObject({
    name,
    strategy: z.literal('experiment'),
    /** The variants compared: each a route (or a model) and its share of the units. */
    arms: z.array(z.strictObject({ name, route: name, weight: z.number().positive() })).min(2),
    /** What keeps a unit on one arm: the OpenAI `user` field, the virtual key, or a header (`header:x-session-id`). */
    sticky: z
      .string()
      .regex(/^(user|key|header:[a-z0-9-]+)$/, 'use user, key or header:<lower-case header name>')
      .default('user'),
    // Cost levers and guardrails on the experiment apply to every arm's requests, as on any route.
    ...leverFields,
    ...routeGuardrailFields,
  })
  .superRefine((route, context) => {
    const names = route.arms.map((arm) => arm.name);
    const targets = route.arms.map((arm) => arm.route);
    if (new Set(names).size !== names.length) context.addIssue({ code: 'custom', path: ['arms'], message: 'arm names must differ' });
    // The request log tells arms apart by the route that served them.
    if (new Set(targets).size !== targets.length) context.addIssue({ code: 'custom', path: ['arms'], message: 'each arm needs a route of its own' });
    if (targets.includes(route.name)) context.addIssue({ code: 'custom', path: ['arms'], message: 'an arm cannot be the experiment itself' });
  });

export const routeSchema = z.discriminatedUnion('strategy', [fixedRoute, randomRoute, rulesRoute, learnedRoute, cascadeRoute, pipelineRoute, experimentRoute]);

export type RouteConfig = z.infer<typeof routeSchema>;
export type RuleCondition = z.infer<typeof ruleConditionSchema>;
export type RouteConfigOf<S extends RouteConfig['strategy']> = Extract<RouteConfig, { strategy: S }>;
