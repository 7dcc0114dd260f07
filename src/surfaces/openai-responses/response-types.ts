/**
 * The OpenAI Responses API wire types the gateway writes: the Response object, its output items
 * and the stream events. Only what the gateway produces is spelled out. encode-response.test.ts
 * assigns a Response to the `openai` package's own type, so a drift fails to compile there, and
 * stream-encoder.test.ts runs the events through the SDK's own stream parser and accumulator.
 */
import type { REASONING_EFFORTS, REASONING_SUMMARIES } from './request-schema.js';

export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];
export type ReasoningSummary = (typeof REASONING_SUMMARIES)[number];
export type ResponseStatus = 'completed' | 'failed' | 'in_progress' | 'incomplete';
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface OutputTextPart {
  type: 'output_text';
  text: string;
  /** Always empty: no upstream behind the gateway cites files or URLs, and logprobs are not asked for. */
  annotations: never[];
  logprobs: never[];
}

export interface RefusalPart {
  type: 'refusal';
  refusal: string;
}

export type OutputContentPart = OutputTextPart | RefusalPart;

export interface OutputMessageItem {
  id: string;
  type: 'message';
  status: ItemStatus;
  role: 'assistant';
  content: OutputContentPart[];
}

export interface FunctionCallItem {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  call_id: string;
  name: string;
  arguments: string;
}

export type OutputItem = OutputMessageItem | FunctionCallItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface EchoedFunctionTool {
  type: 'function';
  name: string;
  description: string | null;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
}

export type EchoedToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; name: string }
  | { type: 'allowed_tools'; mode: 'auto' | 'required'; tools: Array<{ type: 'function'; name: string }> };

export type TextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; description?: string; strict?: boolean | null };

/** The request fields a Response repeats back to its caller, as the real API does. */
export interface ResponseEcho {
  /** The model name the client sent (a model or a route), not the one that served it. */
  model: string;
  instructions: string | null;
  tools: EchoedFunctionTool[];
  tool_choice: EchoedToolChoice;
  parallel_tool_calls: boolean;
  text: { format: TextFormat; verbosity: 'low' | 'medium' | 'high' };
  temperature: number;
  top_p: number;
  max_output_tokens: number | null;
  reasoning: { effort: ReasoningEffort | null; summary: ReasoningSummary | null };
  user: string | null;
  metadata: Record<string, string>;
  store: boolean;
  previous_response_id: string | null;
  truncation: 'auto' | 'disabled';
}

export interface ResponseError {
  /** The two of OpenAI's codes a gateway failure can be. */
  code: 'server_error' | 'rate_limit_exceeded';
  message: string;
}

export interface ResponseObject extends Omit<ResponseEcho, 'model'> {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  /** Seconds since the epoch when the response finished; null while it runs. */
  completed_at: number | null;
  background: false;
  error: ResponseError | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  model: string;
  output: OutputItem[];
  usage: ResponseUsage | null;
  max_tool_calls: null;
  top_logprobs: number;
  service_tier: 'default';
}

/** A stream event before the encoder stamps its `sequence_number`. */
export type UnnumberedStreamEvent =
  | { type: 'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete' | 'response.failed'; response: ResponseObject }
  | { type: 'response.output_item.added' | 'response.output_item.done'; output_index: number; item: OutputItem }
  | { type: 'response.content_part.added' | 'response.content_part.done'; item_id: string; output_index: number; content_index: number; part: OutputContentPart }
  | { type: 'response.output_text.delta'; item_id: string; output_index: number; content_index: number; delta: string; logprobs: never[] }
  | { type: 'response.output_text.done'; item_id: string; output_index: number; content_index: number; text: string; logprobs: never[] }
  | { type: 'response.refusal.delta'; item_id: string; output_index: number; content_index: number; delta: string }
  | { type: 'response.refusal.done'; item_id: string; output_index: number; content_index: number; refusal: string }
  | { type: 'response.function_call_arguments.delta'; item_id: string; output_index: number; delta: string }
  | { type: 'response.function_call_arguments.done'; item_id: string; output_index: number; name: string; arguments: string }
  | { type: 'error'; code: string | null; message: string; param: string | null; error: { type: string; code: string | null; message: string; param: string | null } };

export type ResponseStreamEvent = UnnumberedStreamEvent & { sequence_number: number };
