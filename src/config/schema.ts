/**
 * The configuration, as one zod schema. Types come from `z.infer`, defaults live here and
 * nowhere else, and `switchboard.yaml` keys are snake_case like OpenAI's and LiteLLM's.
 */
import { z } from 'zod';
import { PROVIDER_KINDS } from '../providers/provider.js';
import { routeSchema } from '../routing/route-schema.js';
import { judgeSchema } from '../shadow/shadow-schema.js';
import { governanceSchema, redisSchema } from '../governance/governance-schema.js';
import { responsesConfigSchema } from '../surfaces/openai-responses/store/response-store-config.js';
import { LOG_FORMATS } from '../logging/log-format.js';
import { batchConfigSchema } from '../batch/batch-config.js';
import { cacheConfigSchema, cacheOverrideSchema } from '../cache/cache-schema.js';
import { contextLimitSchema } from '../context/context-schema.js';
import { metricsSchema, telemetrySchema } from '../observability/observability-schema.js';
import { limitsSchema } from './limits-schema.js';
import { guardrailsSchema, piiOnlyGuardrailsSchema } from '../guardrails/guardrails-schema.js';

const priceFields = {
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cached_input: z.number().nonnegative().optional(),
  cache_write: z.number().nonnegative().optional(),
};

export const priceSchema = z.strictObject({
  ...priceFields,
  /** The provider's batch-API price (docs/batch.md); half of the above when unset. */
  batch: z.strictObject(priceFields).optional(),
});

/** Where and how to reach one upstream. Shared by a model's shorthand form and `deployments`. */
const upstreamFields = {
  provider: z.enum(PROVIDER_KINDS),
  model: z.string().min(1).optional(),
  base_url: z.url({ message: 'must be a URL such as https://api.openai.com/v1' }).optional(),
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  api_version: z.string().optional(),
};

export const deploymentSchema = z.strictObject({
  ...upstreamFields,
  /** Share of traffic under weighted load balancing. */
  weight: z.number().positive().default(1),
  /** Requests per minute this deployment accepts; the balancer keeps headroom under it. */
  rpm: z.number().int().positive().optional(),
  /** Tokens per minute this deployment accepts. */
  tpm: z.number().int().positive().optional(),
});

export const modelSchema = z
  .strictObject({
    name: z.string().min(1),
    provider: upstreamFields.provider.optional(),
    model: upstreamFields.model,
    base_url: upstreamFields.base_url,
    api_key: upstreamFields.api_key,
    headers: upstreamFields.headers,
    api_version: upstreamFields.api_version,
    price: priceSchema.optional(),
    deployments: z.array(deploymentSchema).min(1).optional(),
    fallbacks: z.array(z.string()).default([]),
    /** Where `context_length_exceeded` errors go: a model with a larger context window. */
    context_window_fallback: z.string().optional(),
    /** Input tokens the model accepts: a longer request goes to `context_window_fallback` before any call (docs/cache.md). */
    context_window: z.number().int().positive().optional(),
    /** Where a content-filter refusal goes. */
    content_filter_fallback: z.string().optional(),
    load_balancing: z.enum(['weighted', 'least-in-flight', 'lowest-latency', 'headroom']).default('weighted'),
    /**
     * Largest output the model may produce: a request asking for more (or for nothing) is clamped
     * to it (`x-switchboard-max-tokens`), and budgets reserve it when max_tokens is unset.
     */
    max_output_tokens: z.number().int().positive().optional(),
    /** Cache overrides for requests that name this model (docs/cache.md). */
    cache: cacheOverrideSchema.optional(),
    /** A context limit for requests that name this model (docs/cache.md). */
    context: contextLimitSchema.optional(),
    /** Marks a built-in simulated model, so no quality figure is ever computed from it. */
    simulated: z.boolean().optional(),
    /** PII settings for requests that name this model (docs/guardrails.md); `pii: false` turns masking off for it. */
    guardrails: piiOnlyGuardrailsSchema.optional(),
  })
  .superRefine((model, context) => {
    if (!model.provider && !model.deployments) {
      context.addIssue({ code: 'custom', path: ['provider'], message: 'set `provider` (openai, anthropic, gemini, openai-compatible) or list `deployments`' });
    }
    if (model.provider && model.deployments) {
      context.addIssue({ code: 'custom', path: ['deployments'], message: 'give either `provider` or `deployments`, not both' });
    }
  });

export const DEFAULT_STORAGE_URL = 'sqlite://.switchboard/switchboard.db';

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(4100),
      /** Request bodies above this get 413. Images sent inline as base64 need room. */
      max_body_bytes: z.number().int().positive().default(20 * 1024 * 1024),
      /** How long in-flight requests and streams may take to finish on SIGTERM. */
      drain_timeout_ms: z.number().int().nonnegative().default(30_000),
      /**
       * While draining, idle keep-alive connections stay open this long so a client's next
       * request on them is still answered (with `Connection: close`) rather than cut off.
       */
      drain_idle_grace_ms: z.number().int().nonnegative().default(1000),
      /** Host names the gateway answers to besides loopback names (DNS-rebinding protection; docs/security.md). */
      allowed_hosts: z.array(z.string()).default([]),
      /** Browser origins allowed to call the gateway (CORS); `*` for any. Other cross-origin requests get 403. */
      cors_origins: z.array(z.string()).default([]),
      /** Listen on a non-loopback address without an admin key (`serve --insecure`). Anyone who reaches it can spend. */
      insecure: z.boolean().default(false),
      /** A client must send its request headers within this long of connecting (Node's headersTimeout). */
      headers_timeout_ms: z.number().int().positive().default(10_000),
      /**
       * A client must send its whole request, body included, within this long (Node's
       * requestTimeout; Node's own default is 300 s). Slower clients get a 408 and are disconnected.
       * Streams back to the client are not limited by it.
       */
      request_timeout_ms: z.number().int().positive().default(60_000),
      /** Open client connections at most; past it new connections are closed at once (Node's maxConnections). */
      max_connections: z.number().int().positive().default(4096),
    })
    .prefault({}),
  /** Bounds on upstream bodies, streamed text kept for pricing, and request JSON depth (docs/security.md). */
  limits: limitsSchema.prefault({}),
  storage: z
    .strictObject({
      url: z.string().default(DEFAULT_STORAGE_URL),
      /** Keep request and response bodies in the request log. Off by default: they may hold personal data. */
      log_bodies: z.boolean().default(false),
      /**
       * Writes are batched off the request path: flushed at this size or interval. A process
       * killed with SIGKILL loses at most the rows of the last `flush_interval_ms` (docs/security.md).
       * 50 ms, not longer: a buffered row that outlives two young-generation collections is
       * promoted and left to the major collector. At 200 ms, under load with Node's default heap,
       * that was 400–650 bytes a request and a mark-compact every few seconds (docs/performance.md).
       */
      batch_size: z.number().int().positive().default(500),
      flush_interval_ms: z.number().int().positive().default(50),
      /**
       * `batched`: rows are written after the answer, every `flush_interval_ms`. `strict`: a
       * model request's answer is released only once its row is committed (concurrent rows share
       * one write), so a killed process loses no answered request; its cost: `npm run bench:durability`.
       */
      durability: z.enum(['batched', 'strict']).default('batched'),
    })
    .prefault({}),
  logging: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /** `auto`: human-readable lines on a terminal, JSON lines when stdout is not one. */
      format: z.enum(LOG_FORMATS).default('auto'),
    })
    .prefault({}),
  /** Prometheus `GET /metrics` (docs/observability.md). */
  metrics: metricsSchema.prefault({}),
  /** OpenTelemetry traces over OTLP; absent (and no OTEL_EXPORTER_OTLP_* endpoint) = off, and free. */
  telemetry: telemetrySchema.optional(),
  /** Protects /api/*; once set, every /v1 request needs a virtual key or this key. Or SWITCHBOARD_ADMIN_KEY. */
  admin_key: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  /** Shared counters for budgets and rate limits across instances (docs/governance.md). */
  redis: redisSchema.optional(),
  governance: governanceSchema.prefault({}),
  /** The response cache: exact and semantic (docs/cache.md). Off unless enabled. */
  cache: cacheConfigSchema.prefault({}),
  /** Responses kept by `POST /v1/responses` with `store: true` (docs/responses.md). */
  responses: responsesConfigSchema.prefault({}),
  /** Batch jobs behind /v1/files and /v1/batches: limits and pacing (docs/batch.md). */
  batch: batchConfigSchema.prefault({}),
  /** PII masking and JSON schema checks, stages of the chat pipeline (docs/guardrails.md). */
  guardrails: guardrailsSchema.prefault({}),
  models: z.array(modelSchema).default([]),
  routes: z.array(routeSchema).default([]),
  /** Grades shadow comparisons with a model (docs/learning.md); off when absent. */
  judge: judgeSchema.optional(),
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).default(3),
      backoff_ms: z.number().int().nonnegative().default(200),
      max_backoff_ms: z.number().int().nonnegative().default(5000),
    })
    .prefault({}),
  timeouts: z
    .strictObject({
      connect_ms: z.number().int().positive().default(5000),
      first_token_ms: z.number().int().positive().default(30_000),
      total_ms: z.number().int().positive().default(600_000),
    })
    .prefault({}),
  /** Circuit breaker per deployment: `failures` within `window_ms` skip it for `cooldown_ms`. */
  cooldown: z
    .strictObject({
      failures: z.number().int().min(1).default(3),
      window_ms: z.number().int().positive().default(30_000),
      cooldown_ms: z.number().int().nonnegative().default(15_000),
    })
    .prefault({}),
});

export type GatewayConfig = z.infer<typeof configSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type DeploymentConfig = z.infer<typeof deploymentSchema>;
export type PriceConfig = z.infer<typeof priceSchema>;
