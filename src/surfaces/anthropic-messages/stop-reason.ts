/**
 * OpenAI `finish_reason` → Anthropic `stop_reason`. OpenAI does not say which stop sequence
 * matched (and leaves it out of the text), so a translated answer never reports
 * `stop_sequence`: a stop is `end_turn`.
 */
import type { AnthropicStopReason } from '../../protocol/anthropic-messages-types.js';
import type { FinishReason } from '../../protocol/chat-types.js';

const STOP_REASONS: Readonly<Record<FinishReason, AnthropicStopReason>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/**
 * `producedToolUse`: some OpenAI-compatible servers end a tool-calling turn with `stop`; an
 * Anthropic client only runs the tools when the reason is `tool_use`.
 */
export function stopReasonFor(finishReason: FinishReason | null | undefined, producedToolUse: boolean): AnthropicStopReason {
  const reason = finishReason ? (STOP_REASONS[finishReason] ?? 'end_turn') : 'end_turn';
  return reason === 'end_turn' && producedToolUse ? 'tool_use' : reason;
}
