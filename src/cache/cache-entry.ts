/**
 * What the cache keeps for one answer: the answer in the form it was produced — a whole
 * completion (with the Anthropic message when an Anthropic deployment answered a `/v1/messages`
 * request natively), a stream's chunks, or a native stream's events, each chunk or event as it
 * came so a replay keeps the original boundaries — and what serving it again saves.
 */
import type { AnthropicResponse } from '../protocol/anthropic-messages-types.js';
import type { ChatCompletion } from '../protocol/chat-types.js';
import type { ServerSentEvent } from '../providers/shared/sse-parser.js';

export type CachedAnswer =
  | { kind: 'completion'; completion: ChatCompletion; message?: AnthropicResponse }
  /** Each chunk's JSON text, in order; parsed afresh per replay since surfaces edit chunks as they send them. */
  | { kind: 'chunks'; chunks: string[] }
  | { kind: 'anthropic-events'; events: ServerSentEvent[] };

export interface CacheEntry {
  /** Milliseconds since the epoch. */
  created_at: number;
  expires_at: number;
  served_model: string;
  deployment: string;
  /** What the answer cost when it was bought: what each hit saves. */
  cost_usd: number;
  answer: CachedAnswer;
}
