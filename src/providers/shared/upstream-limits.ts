/**
 * The byte bounds on one upstream call's body, as the providers read them (from `limits:`,
 * config/limits-schema.ts). Calls made without them (batch APIs' own files) get the defaults.
 */
export interface UpstreamLimits {
  /** A whole non-streamed body. */
  bodyBytes: number;
  /** A whole embeddings answer: 2048 inputs of 3072 floats are over 100 MB of JSON. */
  embeddingsBodyBytes: number;
  /** One SSE line, or one event. */
  eventBytes: number;
  /** A whole stream. */
  streamBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_UPSTREAM_LIMITS: UpstreamLimits = { bodyBytes: 16 * MiB, embeddingsBodyBytes: 256 * MiB, eventBytes: 4 * MiB, streamBytes: 64 * MiB };

export function upstreamLimitsFromConfig(limits: {
  upstream_body_bytes: number;
  upstream_embeddings_body_bytes: number;
  upstream_event_bytes: number;
  upstream_stream_bytes: number;
}): UpstreamLimits {
  return {
    bodyBytes: limits.upstream_body_bytes,
    embeddingsBodyBytes: limits.upstream_embeddings_body_bytes,
    eventBytes: limits.upstream_event_bytes,
    streamBytes: limits.upstream_stream_bytes,
  };
}

/** The limits of an embeddings call: its whole body may be as large as `embeddingsBodyBytes`. */
export function embeddingsLimits(limits: UpstreamLimits | undefined): UpstreamLimits {
  const base = limits ?? DEFAULT_UPSTREAM_LIMITS;
  return { ...base, bodyBytes: base.embeddingsBodyBytes };
}
