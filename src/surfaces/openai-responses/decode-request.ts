/**
 * A validated Responses request → the gateway's one internal request (Chat Completions), plus
 * what the encoders need to echo back and what the store keeps.
 *
 * `instructions` become a system message at the head (every upstream takes `system`; OpenAI
 * treats it as `developer` for the models that want that). Instructions are not part of a stored
 * conversation: as in OpenAI's API, a continuation's instructions replace the earlier ones.
 *
 * Usage: `decodeResponsesRequest(parseResponsesRequest(body), await loadConversation(…))`.
 */
import { InvalidRequestError } from '../../errors/index.js';
import type { ChatCompletionRequest, ChatMessage, ResponseFormat } from '../../protocol/chat-types.js';
import { inputItemsToMessages, type InputItem } from './input-items.js';
import type { ResponsesRequest, TextFormatParam } from './request-schema.js';
import type { ResponseEcho, TextFormat } from './response-types.js';
import { translateToolChoice, translateTools } from './tools.js';

export interface DecodedResponsesRequest {
  /** The internal request the pipeline runs. */
  chat: ChatCompletionRequest;
  /** The request fields the Response object repeats. */
  echo: ResponseEcho;
  /** This request's own input, as items (a string input becomes one user message), for the store. */
  inputItems: InputItem[];
  stream: boolean;
  /** Whether to keep the response for `previous_response_id` and `GET /v1/responses/{id}`. Off unless asked. */
  store: boolean;
}

/**
 * Decodes `request`. `history` is the stored conversation `previous_response_id` names (input
 * and output items, oldest first), or empty.
 */
export function decodeResponsesRequest(request: ResponsesRequest, history: readonly InputItem[] = []): DecodedResponsesRequest {
  const inputItems = normaliseInput(request.input);
  const messages: ChatMessage[] = [];
  if (request.instructions) messages.push({ role: 'system', content: request.instructions });
  messages.push(...inputItemsToMessages([...history, ...inputItems], history.length));
  if (!messages.some((message) => message.role !== 'system' && message.role !== 'developer')) {
    throw new InvalidRequestError("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  }

  const tools = translateTools(request.tools);
  const choice = translateToolChoice(request.tool_choice, tools.chatTools);
  const stream = request.stream === true;

  const chat: ChatCompletionRequest = { model: request.model, messages };
  if (stream) {
    chat.stream = true;
    // The closing `response.completed` event carries usage, so it is always asked for.
    chat.stream_options = { include_usage: true };
  }
  if (choice.chatTools.length > 0) chat.tools = choice.chatTools;
  if (choice.chatChoice !== undefined) chat.tool_choice = choice.chatChoice;
  if (request.parallel_tool_calls != null) chat.parallel_tool_calls = request.parallel_tool_calls;
  const responseFormat = toResponseFormat(request.text?.format);
  if (responseFormat) chat.response_format = responseFormat;
  if (request.text?.verbosity != null) chat.verbosity = request.text.verbosity;
  if (request.max_output_tokens != null) chat.max_completion_tokens = request.max_output_tokens;
  if (request.temperature != null) chat.temperature = request.temperature;
  if (request.top_p != null) chat.top_p = request.top_p;
  if (request.reasoning?.effort != null) chat.reasoning_effort = request.reasoning.effort;
  if (request.user !== undefined) chat.user = request.user;
  if (request.metadata != null) chat.metadata = request.metadata;
  if (request.service_tier != null) chat.service_tier = request.service_tier;
  if (request.safety_identifier !== undefined) chat.safety_identifier = request.safety_identifier;
  if (request.prompt_cache_key !== undefined) chat.prompt_cache_key = request.prompt_cache_key;

  const store = request.store === true;
  const echo: ResponseEcho = {
    model: request.model,
    instructions: request.instructions ?? null,
    tools: tools.echoed,
    tool_choice: choice.echoed,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    text: { format: echoTextFormat(request.text?.format), verbosity: request.text?.verbosity ?? 'medium' },
    // OpenAI's defaults, which the upstreams behind the gateway share, echoed as OpenAI does.
    temperature: request.temperature ?? 1,
    top_p: request.top_p ?? 1,
    max_output_tokens: request.max_output_tokens ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    user: request.user ?? null,
    metadata: request.metadata ?? {},
    store,
    previous_response_id: request.previous_response_id ?? null,
    truncation: request.truncation ?? 'disabled',
  };
  return { chat, echo, inputItems, stream, store };
}

function normaliseInput(input: ResponsesRequest['input']): InputItem[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return input;
}

/** `text.format` → `response_format`. Plain text is the default, so it adds nothing. */
function toResponseFormat(format: TextFormatParam | undefined): ResponseFormat | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  const jsonSchema: Extract<ResponseFormat, { type: 'json_schema' }>['json_schema'] = { name: format.name, schema: format.schema };
  if (format.description !== undefined) jsonSchema.description = format.description;
  if (format.strict != null) jsonSchema.strict = format.strict;
  return { type: 'json_schema', json_schema: jsonSchema };
}

function echoTextFormat(format: TextFormatParam | undefined): TextFormat {
  if (!format || format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json_object' };
  return {
    type: 'json_schema',
    name: format.name,
    schema: format.schema,
    ...(format.description !== undefined ? { description: format.description } : {}),
    strict: format.strict ?? null,
  };
}
