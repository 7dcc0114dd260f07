/** Gemini `finishReason` (and `promptFeedback.blockReason`) → OpenAI `finish_reason`. */
import type { FinishReason } from '../../protocol/chat-types.js';

/** Reasons that mean a safety or policy filter stopped the output. */
const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION']);

/**
 * Gemini reports `STOP` when it calls functions; OpenAI says `tool_calls`, which clients use to
 * decide whether to run tools. Unknown and unspecified reasons (`OTHER`,
 * `MALFORMED_FUNCTION_CALL`, …) end the turn normally.
 */
export function mapFinishReason(finishReason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (finishReason === 'MAX_TOKENS') return 'length';
  if (finishReason !== undefined && FILTERED.has(finishReason)) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}
