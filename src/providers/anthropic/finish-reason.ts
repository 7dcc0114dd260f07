/** Anthropic `stop_reason` → OpenAI `finish_reason`. */
import type { FinishReason } from '../../protocol/chat-types.js';

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  // A server tool paused a long turn; the text so far is complete for the client.
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** `jsonMode`: the forced JSON tool answered, which the client sees as plain content, so `stop`. */
export function mapStopReason(stopReason: string | null | undefined, jsonMode: boolean): FinishReason {
  if (!stopReason) return 'stop';
  if (jsonMode && stopReason === 'tool_use') return 'stop';
  return FINISH_REASONS[stopReason] ?? 'stop';
}
