/**
 * What the pipeline hands back to a surface: a whole completion, or a stream that has started
 * (its first chunk is in, so failover is over). `extraCost` is what other calls of the same
 * request cost (a cascade's rejected weak answer, a classifier); `headers` describe the route
 * decision for the response. `cached` marks an answer served from the cache (cache/): it was
 * paid for when first bought, so it is recorded at cost 0.
 */
import type { CompletedCall, StartedStream } from '../execution/chat-executor.js';

export type ChatOutcome =
  | { kind: 'completed'; call: CompletedCall; extraCost: number; headers: Record<string, string>; cached?: boolean }
  | { kind: 'stream'; stream: StartedStream; extraCost: number; headers: Record<string, string>; cached?: boolean };
