/**
 * `limits:` — bounds on what an upstream may send and what the gateway keeps in memory for one
 * request, so a hostile or broken upstream (an endless stream, an endless line, a 200 MB body)
 * or a hostile client body (JSON nested thousands deep) ends one request cleanly instead of the
 * process. Each bound, its default and why it is that size: docs/security.md.
 */
import { z } from 'zod';

const MiB = 1024 * 1024;

export const limitsSchema = z.strictObject({
  /** A non-streamed upstream body (JSON answer or error) larger than this fails the call with a 502. */
  upstream_body_bytes: z.number().int().positive().default(16 * MiB),
  /** An embeddings answer larger than this fails with a 502. 2048 inputs of 3072 floats are over 100 MB of JSON. */
  upstream_embeddings_body_bytes: z.number().int().positive().default(256 * MiB),
  /** One SSE line or event from an upstream larger than this ends the stream with an error. */
  upstream_event_bytes: z.number().int().positive().default(4 * MiB),
  /** A whole upstream stream larger than this is ended with an error event; what was streamed is charged. */
  upstream_stream_bytes: z.number().int().positive().default(64 * MiB),
  /**
   * Characters of a streamed answer kept to count its tokens when the upstream reports no usage.
   * Past this the rest is only counted (in characters) and priced at the measured tokens per character.
   */
  priced_text_chars: z.number().int().positive().default(64 * 1024),
  /** Request JSON nested deeper than this is refused with a 400 naming the field. */
  request_json_depth: z.number().int().min(8).max(1000).default(64),
});

export type LimitsConfig = z.infer<typeof limitsSchema>;
