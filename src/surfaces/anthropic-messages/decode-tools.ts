/**
 * Anthropic `tools` and `tool_choice` → OpenAI function tools, `tool_choice` and
 * `parallel_tool_calls`.
 *
 * A custom tool (no `type`, or `custom`) is a function tool with the same JSON schema. Anthropic's
 * own tools (`web_search_…`, `web_fetch_…`, `code_execution_…`, `bash_…`, `text_editor_…`,
 * `computer_…`, `memory_…`, tool search, MCP toolsets) are run by Anthropic's servers or described
 * by a schema only Claude knows, so they are listed as untranslatable.
 *
 *   tool_choice                    OpenAI
 *   {type: 'auto'}                 'auto'
 *   {type: 'any'}                  'required'
 *   {type: 'tool', name}           {type: 'function', function: {name}}
 *   {type: 'none'}                 'none'
 *   disable_parallel_tool_use      parallel_tool_calls: false
 *
 * OpenAI rejects `tool_choice` and `parallel_tool_calls` without tools, so they are sent only
 * when at least one tool was translated. `cache_control` on tools has no OpenAI equivalent.
 */
import type { ChatCompletionRequest, FunctionTool, ToolChoice } from '../../protocol/chat-types.js';
import { isCustomTool, type MessagesRequest, type ToolChoiceParam, type ToolParam } from './request-schema.js';
import type { UntranslatableFeature } from '../../errors/index.js';

export type ToolFields = Pick<ChatCompletionRequest, 'tools' | 'tool_choice' | 'parallel_tool_calls'>;

export function decodeTools(body: Pick<MessagesRequest, 'tools' | 'tool_choice'>, untranslatable: UntranslatableFeature[]): ToolFields {
  const tools: FunctionTool[] = [];
  (body.tools ?? []).forEach((tool, index) => {
    if (isCustomTool(tool)) tools.push(functionTool(tool));
    else untranslatable.push({ feature: `the Anthropic tool '${tool.name}' (${tool.type})`, param: `tools.${index}` });
  });
  if (tools.length === 0) return {};
  const fields: ToolFields = { tools };
  if (body.tool_choice) {
    fields.tool_choice = toolChoice(body.tool_choice);
    if ('disable_parallel_tool_use' in body.tool_choice && body.tool_choice.disable_parallel_tool_use === true) fields.parallel_tool_calls = false;
  }
  return fields;
}

function functionTool(tool: ToolParam): FunctionTool {
  const declared: FunctionTool['function'] = { name: tool.name, parameters: tool.input_schema };
  if (tool.description !== undefined) declared.description = tool.description;
  if (typeof tool.strict === 'boolean') declared.strict = tool.strict;
  return { type: 'function', function: declared };
}

function toolChoice(choice: ToolChoiceParam): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
    case 'none':
      return 'none';
  }
}
