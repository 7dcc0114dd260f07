/**
 * The `batch:` section of `switchboard.yaml`: the limits of an input file, how fast lines that
 * no provider batch API takes are run by the gateway itself (so they leave room for live
 * traffic), and how often provider batches are polled. docs/batch.md explains each.
 */
import { z } from 'zod';

export const batchConfigSchema = z.strictObject({
  /** Largest input file `POST /v1/files` accepts, in bytes (OpenAI's own limit is 200 MB). */
  max_file_bytes: z.number().int().positive().default(100 * 1024 * 1024),
  /** Most lines (requests) one batch may hold; OpenAI's limit. */
  max_lines: z.number().int().positive().default(50_000),
  /** Lines the gateway runs at once, per instance, for models without a batch API. */
  concurrency: z.number().int().positive().default(4),
  /** Lines the gateway starts per minute, per instance, for models without a batch API. */
  rpm: z.number().int().positive().default(120),
  /** Send groups whose provider has a batch API (OpenAI, Anthropic) to it, at its batch price. Off: every line is paced. */
  native: z.boolean().default(true),
  /** How often a submitted provider batch is checked. */
  poll_interval_ms: z.number().int().positive().default(30_000),
  /** How often an idle gateway looks for batches to run (new ones start at once on the instance that took them). */
  scan_interval_ms: z.number().int().positive().default(5_000),
  /** A batch is owned by one instance at a time; its lease is renewed at a third of this and taken over once it lapses. */
  lease_ms: z.number().int().positive().default(60_000),
});

export type BatchConfig = z.infer<typeof batchConfigSchema>;

/** The only completion window OpenAI offers, and so the only one the gateway takes. */
export const COMPLETION_WINDOW = '24h';
export const COMPLETION_WINDOW_MS = 24 * 3_600_000;
