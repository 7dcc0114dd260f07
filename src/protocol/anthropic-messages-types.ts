/**
 * The Anthropic Messages API's response-side wire types (https://docs.anthropic.com/en/api/messages):
 * the message, its content blocks, usage, errors and stream events. Two modules speak them: the
 * Anthropic provider (reading an upstream) and the `/v1/messages` surface (writing to a client),
 * so they live beside the OpenAI types rather than inside either. Only the fields the gateway reads
 * or writes are spelled out; any other field a newer API version adds passes through untouched.
 */

export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  [key: string]: unknown;
}

export interface AnthropicTextResponseBlock {
  type: 'text';
  text: string;
  [key: string]: unknown;
}

export interface AnthropicToolUseResponseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
  [key: string]: unknown;
}

/** Extended thinking. `signature` lets Anthropic verify the block when the client sends it back. */
export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
  [key: string]: unknown;
}

export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
  [key: string]: unknown;
}

/** A response content block; server-tool blocks and types added later are carried as they are. */
export type AnthropicResponseBlock =
  | AnthropicTextResponseBlock
  | AnthropicToolUseResponseBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock
  | { type: string; [key: string]: unknown };

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

export interface AnthropicResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: string | null;
  stop_sequence?: string | null;
  usage: AnthropicUsage;
  [key: string]: unknown;
}

/** Anthropic's error types, each with the status Anthropic sends it with (https://docs.anthropic.com/en/api/errors). */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string;
}

export type AnthropicBlockDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: string; [key: string]: unknown };

/** The `data` of each streamed event, discriminated by `type` like the `event:` line. */
export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicResponse }
  | { type: 'content_block_start'; index: number; content_block: AnthropicResponseBlock }
  | { type: 'content_block_delta'; index: number; delta: AnthropicBlockDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: string | null; stop_sequence?: string | null; [key: string]: unknown }; usage?: AnthropicUsage }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | AnthropicErrorBody;

/**
 * A Messages API request body as a client sent it, for a same-protocol pass-through: only
 * `model` is read (and replaced by the deployment's upstream id); everything else is Anthropic's.
 */
export interface AnthropicMessagesBody {
  model: string;
  messages?: unknown;
  stream?: boolean;
  [key: string]: unknown;
}
