/**
 * An Anthropic Messages request → the gateway's one internal request (the OpenAI
 * `ChatCompletionRequest`), plus what the translation could not carry.
 *
 *   Anthropic                           OpenAI
 *   system, messages                    messages (decode-messages.ts)
 *   tools, tool_choice                  tools, tool_choice, parallel_tool_calls (decode-tools.ts)
 *   max_tokens                          max_tokens
 *   stop_sequences                      stop (OpenAI takes at most 4)
 *   temperature, top_p                  temperature, top_p (Anthropic's 0..1 is within OpenAI's 0..2)
 *   metadata.user_id                    user
 *   thinking, output_config.effort      reasoning_effort (reasoning-effort.ts)
 *   output_config.format (json_schema)  response_format json_schema, strict
 *   stream                              stream, stream_options.include_usage (usage is always wanted:
 *                                       message_delta reports it)
 *   top_k, mcp_servers, container,      untranslatable: no OpenAI field, only an Anthropic
 *   Anthropic's own tools               deployment can serve them
 *
 * Fields with no effect on the answer (`cache_control` at the top level, `service_tier`,
 * `context_management`, beta fields) are not translated and not listed.
 */
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import { decodeMessages, decodeSystem } from './decode-messages.js';
import { decodeTools } from './decode-tools.js';
import { reasoningEffortFor } from './reasoning-effort.js';
import { parseMessagesRequest, type MessagesRequest } from './request-schema.js';
import type { UntranslatableFeature } from '../../errors/index.js';

/** OpenAI's limit on `stop`; Anthropic takes more stop sequences. */
const OPENAI_MAX_STOP_SEQUENCES = 4;

export interface DecodedMessagesRequest {
  /** The canonical request that routing, admission, pricing and non-Anthropic providers read. */
  request: ChatCompletionRequest;
  /** The client's body exactly as sent, for a same-protocol pass-through to an Anthropic deployment. */
  native: MessagesRequest;
  /** What `request` leaves out and only `native` can serve; empty when the translation is complete. */
  untranslatable: UntranslatableFeature[];
}

/** Validates a `/v1/messages` body (400 on the first invalid field) and translates it. */
export function decodeMessagesRequest(body: unknown): DecodedMessagesRequest {
  const parsed = parseMessagesRequest(body);
  const untranslatable: UntranslatableFeature[] = [];
  const request: ChatCompletionRequest = {
    model: parsed.model,
    messages: [...decodeSystem(parsed.system), ...decodeMessages(parsed.messages, untranslatable)],
    max_tokens: parsed.max_tokens,
    ...decodeTools(parsed, untranslatable),
  };
  if (parsed.stop_sequences && parsed.stop_sequences.length > 0) {
    if (parsed.stop_sequences.length > OPENAI_MAX_STOP_SEQUENCES) {
      untranslatable.push({ feature: `more than ${OPENAI_MAX_STOP_SEQUENCES} stop_sequences`, param: 'stop_sequences' });
    } else request.stop = parsed.stop_sequences;
  }
  if (parsed.temperature !== undefined) request.temperature = parsed.temperature;
  if (parsed.top_p !== undefined) request.top_p = parsed.top_p;
  if (parsed.top_k !== undefined) untranslatable.push({ feature: 'top_k', param: 'top_k' });
  if (parsed.metadata?.user_id) request.user = parsed.metadata.user_id;
  const effort = reasoningEffortFor(parsed.thinking, parsed.output_config);
  if (effort) request.reasoning_effort = effort;
  decodeOutputFormat(parsed, request, untranslatable);
  if (Array.isArray(parsed.mcp_servers) && parsed.mcp_servers.length > 0) untranslatable.push({ feature: 'MCP servers (mcp_servers)', param: 'mcp_servers' });
  if (parsed.container !== undefined && parsed.container !== null) untranslatable.push({ feature: 'a code execution container', param: 'container' });
  if (parsed.stream === true) {
    request.stream = true;
    request.stream_options = { include_usage: true };
  }
  return { request, native: body as MessagesRequest, untranslatable };
}

/** Structured output: Anthropic's JSON schema format is OpenAI's strict `json_schema` response format. */
function decodeOutputFormat(parsed: MessagesRequest, request: ChatCompletionRequest, untranslatable: UntranslatableFeature[]): void {
  const format = parsed.output_config?.format;
  if (!format) return;
  if (format.type === 'json_schema' && format.schema) {
    request.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema, strict: true } };
  } else {
    untranslatable.push({ feature: `the output format '${format.type}'`, param: 'output_config.format' });
  }
}
