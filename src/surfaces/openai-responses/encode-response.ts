/**
 * A Chat completion → the Response object of OpenAI's Responses API, as `responses.create`
 * returns it: a `message` item with the text (and any refusal), then one `function_call` item per
 * tool call, the status from the finish reason, usage, and the request's echo.
 *
 * Example: `context.sendJson(200, encodeResponse(call.completion, decoded.echo, { id, createdAt }))`.
 */
import type { ChatCompletion, Usage } from '../../protocol/chat-types.js';
import { buildResponseObject, epochSeconds, statusForFinish } from './response-object.js';
import { newResponseId, outputItemId } from './response-ids.js';
import type { FunctionCallItem, OutputContentPart, OutputItem, ResponseEcho, ResponseObject } from './response-types.js';
import { toResponseUsage } from './usage-mapping.js';

export interface EncodeResponseOptions {
  /** The response id; a new `resp_…` when absent. */
  id?: string;
  /** When the request arrived, in seconds since the epoch; now when absent. */
  createdAt?: number;
  /** Usage to report when the completion has none (the gateway's own count). */
  fallbackUsage?: Usage;
}

export function encodeResponse(completion: ChatCompletion, echo: ResponseEcho, options: EncodeResponseOptions = {}): ResponseObject {
  const id = options.id ?? newResponseId();
  const choice = completion.choices[0];
  const { status, incompleteReason } = statusForFinish(choice?.finish_reason);
  const output: OutputItem[] = [];
  const message = choice?.message;
  const toolCalls = message?.tool_calls ?? [];
  const content: OutputContentPart[] = [];
  if (message?.content) content.push({ type: 'output_text', text: message.content, annotations: [], logprobs: [] });
  if (message?.refusal) content.push({ type: 'refusal', refusal: message.refusal });
  // An empty answer is still an (empty) message, so `output_text` is '' rather than missing.
  if (content.length === 0 && toolCalls.length === 0) content.push({ type: 'output_text', text: '', annotations: [], logprobs: [] });
  if (content.length > 0) {
    output.push({ id: outputItemId(id, 'msg', output.length), type: 'message', status: status === 'incomplete' ? 'incomplete' : 'completed', role: 'assistant', content });
  }
  for (const toolCall of toolCalls) {
    const item: FunctionCallItem = {
      id: outputItemId(id, 'fc', output.length),
      type: 'function_call',
      status: 'completed',
      call_id: toolCall.id,
      name: toolCall.function.name,
      arguments: toolCall.function.arguments,
    };
    output.push(item);
  }
  const usage = completion.usage ?? options.fallbackUsage;
  return buildResponseObject(echo, {
    id,
    createdAt: options.createdAt ?? epochSeconds(),
    status,
    incompleteReason,
    output,
    usage: usage ? toResponseUsage(usage) : null,
    completedAt: epochSeconds(),
  });
}
