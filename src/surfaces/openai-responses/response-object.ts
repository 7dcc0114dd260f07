/**
 * The Response object's envelope: the request echo, the status and what ended the answer. The
 * non-streaming encoder and every lifecycle event of the stream encoder build it here, so the
 * object a stream ends with is the one `create` without `stream` returns.
 */
import type { FinishReason } from '../../protocol/chat-types.js';
import type { OutputItem, ResponseEcho, ResponseError, ResponseObject, ResponseStatus, ResponseUsage } from './response-types.js';

export interface ResponseState {
  id: string;
  /** Seconds since the epoch. */
  createdAt: number;
  status: ResponseStatus;
  output: OutputItem[];
  usage: ResponseUsage | null;
  error?: ResponseError | null;
  incompleteReason?: 'max_output_tokens' | 'content_filter' | null;
  /** Seconds since the epoch; set once the response has finished. */
  completedAt?: number | null;
}

export function buildResponseObject(echo: ResponseEcho, state: ResponseState): ResponseObject {
  return {
    id: state.id,
    object: 'response',
    created_at: state.createdAt,
    status: state.status,
    completed_at: state.completedAt ?? null,
    background: false,
    error: state.error ?? null,
    incomplete_details: state.incompleteReason ? { reason: state.incompleteReason } : null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    max_tool_calls: null,
    model: echo.model,
    output: state.output,
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: echo.previous_response_id,
    reasoning: echo.reasoning,
    service_tier: 'default',
    store: echo.store,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_logprobs: 0,
    top_p: echo.top_p,
    truncation: echo.truncation,
    usage: state.usage,
    user: echo.user,
    metadata: echo.metadata,
  };
}

/** A Chat finish reason → the Responses status, and why the answer is incomplete when it is. */
export function statusForFinish(reason: FinishReason | null | undefined): { status: ResponseStatus; incompleteReason: 'max_output_tokens' | 'content_filter' | null } {
  if (reason === 'length') return { status: 'incomplete', incompleteReason: 'max_output_tokens' };
  if (reason === 'content_filter') return { status: 'incomplete', incompleteReason: 'content_filter' };
  return { status: 'completed', incompleteReason: null };
}

/** Seconds since the epoch, the unit of `created_at` and `completed_at`. */
export function epochSeconds(milliseconds = Date.now()): number {
  return Math.floor(milliseconds / 1000);
}
