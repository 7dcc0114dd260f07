/**
 * OpenAI tools, `tool_choice`, `parallel_tool_calls` and `response_format` → Anthropic tools.
 *
 * JSON mode: Anthropic has no `response_format`. Like LiteLLM, we add one tool named
 * `json_tool_call` whose `input_schema` is the requested schema (or any object for
 * `json_object`) and force it with `tool_choice`; the tool's input then comes back to the client
 * as the message content. A forced tool is schema-guided on every Claude model, unlike an
 * instruction in the system prompt.
 */
import type { ChatCompletionRequest, FunctionTool, ToolChoice } from '../../protocol/chat-types.js';
import type { AnthropicTool, AnthropicToolChoice } from './anthropic-types.js';

export const JSON_TOOL_NAME = 'json_tool_call';

/** True when the client asked for JSON output, which the adapter serves through the forced tool. */
export function isJsonMode(request: Pick<ChatCompletionRequest, 'response_format'>): boolean {
  const type = request.response_format?.type;
  return type === 'json_object' || type === 'json_schema';
}

export interface AnthropicToolFields {
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
}

export function mapToolFields(request: ChatCompletionRequest): AnthropicToolFields {
  const tools = (request.tools ?? []).map(mapTool);
  const disableParallel = request.parallel_tool_calls === false;
  if (isJsonMode(request)) {
    tools.push(jsonTool(request));
    return { tools, tool_choice: withParallel({ type: 'tool', name: JSON_TOOL_NAME }, disableParallel) };
  }
  if (tools.length === 0) return {};
  const choice = mapToolChoice(request.tool_choice, disableParallel);
  return choice ? { tools, tool_choice: choice } : { tools };
}

function mapTool(tool: FunctionTool): AnthropicTool {
  const mapped: AnthropicTool = { name: tool.function.name, input_schema: tool.function.parameters ?? { type: 'object', properties: {} } };
  if (tool.function.description !== undefined) mapped.description = tool.function.description;
  return mapped;
}

function mapToolChoice(choice: ToolChoice | undefined, disableParallel: boolean): AnthropicToolChoice | undefined {
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return withParallel({ type: 'any' }, disableParallel);
  if (typeof choice === 'object') return withParallel({ type: 'tool', name: choice.function.name }, disableParallel);
  if (choice === 'auto' || disableParallel) return withParallel({ type: 'auto' }, disableParallel);
  return undefined;
}

function withParallel(choice: Exclude<AnthropicToolChoice, { type: 'none' }>, disableParallel: boolean): AnthropicToolChoice {
  return disableParallel ? { ...choice, disable_parallel_tool_use: true } : choice;
}

function jsonTool(request: ChatCompletionRequest): AnthropicTool {
  const format = request.response_format;
  if (format?.type === 'json_schema') {
    const tool: AnthropicTool = { name: JSON_TOOL_NAME, input_schema: format.json_schema.schema ?? { type: 'object', properties: {} } };
    if (format.json_schema.description !== undefined) tool.description = format.json_schema.description;
    return tool;
  }
  // Anthropic rejects an input_schema without `properties`; this one accepts any object.
  return { name: JSON_TOOL_NAME, input_schema: { type: 'object', additionalProperties: true, properties: {} } };
}
