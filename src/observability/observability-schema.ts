/**
 * Config of what the gateway shows about itself: Prometheus metrics (`metrics:`) and
 * OpenTelemetry traces (`telemetry:`). docs/observability.md lists every metric and attribute.
 */
import { z } from 'zod';

export const metricsSchema = z.strictObject({
  /** Record request metrics and serve `GET /metrics`. On by default; its cost is in bench:micro. */
  enabled: z.boolean().default(true),
  /** Also serve `/metrics` alone on this port (same host, same admin key rule). With `--workers`, the primary serves it. */
  port: z.number().int().min(0).max(65535).optional(),
  /**
   * Budget-remaining series are labelled by key name, so their number is capped: the keys with
   * the least of their budget left are shown, at most this many (teams likewise).
   */
  budget_series_limit: z.number().int().min(0).max(1000).default(50),
});

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;

export const telemetrySchema = z.strictObject({
  /** OTLP/HTTP base URL (`/v1/traces` is added), or the full traces URL. Else `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT`. */
  otlp_endpoint: z.url({ message: 'must be a URL such as http://127.0.0.1:4318' }).optional(),
  /** Else `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL`, else http/protobuf. */
  protocol: z.enum(OTLP_PROTOCOLS).optional(),
  /** Export prompts and completions as span events. Off by default: they may hold personal data. */
  capture_content: z.boolean().default(false),
  /** Share of new traces sampled (0–1). An incoming `traceparent` keeps its caller's decision. Else `OTEL_TRACES_SAMPLER_ARG`. */
  sample: z.number().min(0).max(1).optional(),
  /** `service.name`; else `OTEL_SERVICE_NAME`, else `switchboard`. */
  service_name: z.string().min(1).optional(),
  /** Extra export headers (an auth token); merged over `OTEL_EXPORTER_OTLP_(TRACES_)HEADERS`. */
  headers: z.record(z.string(), z.string()).optional(),
});

export type MetricsConfig = z.infer<typeof metricsSchema>;
export type TelemetryConfig = z.infer<typeof telemetrySchema>;
