/**
 * Responses `tools` and `tool_choice` → Chat Completions `tools` and `tool_choice`.
 *
 * Only function tools cross over. The hosted tools (web search, file search, computer use, code
 * interpreter, image generation, MCP, shells…) run inside OpenAI's servers; no upstream behind
 * this gateway would run them, so a request naming one is refused with the tool's name rather
 * than answered without it. Custom (free-form grammar) tools are refused for the same reason:
 * the canonical request has no place for them.
 */
import { z } from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import type { FunctionTool, ToolChoice } from '../../protocol/chat-types.js';
import { parseWith } from './request-schema.js';
import type { EchoedFunctionTool, EchoedToolChoice } from './response-types.js';

const functionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1).max(64),
  description: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});

const functionChoice = z.looseObject({ type: z.literal('function'), name: z.string().min(1) });
const allowedToolsChoice = z.looseObject({
  type: z.literal('allowed_tools'),
  mode: z.enum(['auto', 'required']),
  tools: z.array(z.looseObject({ type: z.string(), name: z.string().optional() })).min(1),
});

export interface TranslatedTools {
  chatTools: FunctionTool[];
  echoed: EchoedFunctionTool[];
}

/** Translates the `tools` list, refusing any tool that is not a function by its type. */
export function translateTools(tools: ReadonlyArray<{ type: string }> | undefined): TranslatedTools {
  const chatTools: FunctionTool[] = [];
  const echoed: EchoedFunctionTool[] = [];
  (tools ?? []).forEach((tool, index) => {
    if (tool.type !== 'function') throw unsupportedTool(tool.type, `tools[${index}].type`);
    const parsed = parseWith(functionTool, tool, ['tools', index]);
    const chatFunction: FunctionTool['function'] = { name: parsed.name };
    if (parsed.description != null) chatFunction.description = parsed.description;
    if (parsed.parameters != null) chatFunction.parameters = parsed.parameters;
    if (parsed.strict != null) chatFunction.strict = parsed.strict;
    chatTools.push({ type: 'function', function: chatFunction });
    echoed.push({
      type: 'function',
      name: parsed.name,
      description: parsed.description ?? null,
      parameters: parsed.parameters ?? null,
      strict: parsed.strict ?? null,
    });
  });
  return { chatTools, echoed };
}

export interface TranslatedToolChoice {
  /** Absent when the client left the choice to the model. */
  chatChoice: ToolChoice | undefined;
  /** `allowed_tools` narrows the tools the model sees; the other choices keep them all. */
  chatTools: FunctionTool[];
  echoed: EchoedToolChoice;
}

/**
 * `{type: 'function', name}` → `{type: 'function', function: {name}}`. `allowed_tools` has no
 * Chat Completions form every upstream takes, so it is applied here: the model is offered only the
 * allowed functions, with its mode (`auto` or `required`) as the choice.
 */
export function translateToolChoice(choice: unknown, tools: FunctionTool[]): TranslatedToolChoice {
  if (choice === undefined) return { chatChoice: undefined, chatTools: tools, echoed: 'auto' };
  if (choice === 'none' || choice === 'auto' || choice === 'required') return { chatChoice: choice, chatTools: tools, echoed: choice };
  const type = (choice as { type: string }).type;
  if (type === 'function') {
    const { name } = parseWith(functionChoice, choice, ['tool_choice']);
    requireDeclared(name, tools, 'tool_choice.name');
    return { chatChoice: { type: 'function', function: { name } }, chatTools: tools, echoed: { type: 'function', name } };
  }
  if (type === 'allowed_tools') {
    const parsed = parseWith(allowedToolsChoice, choice, ['tool_choice']);
    const names = parsed.tools.map((tool, index) => {
      if (tool.type !== 'function') throw unsupportedTool(tool.type, `tool_choice.tools[${index}].type`);
      if (!tool.name) throw new InvalidRequestError(`Missing required parameter: 'tool_choice.tools[${index}].name'.`, `tool_choice.tools[${index}].name`, 'missing_required_parameter');
      requireDeclared(tool.name, tools, `tool_choice.tools[${index}].name`);
      return tool.name;
    });
    return {
      chatChoice: parsed.mode,
      chatTools: tools.filter((tool) => names.includes(tool.function.name)),
      echoed: { type: 'allowed_tools', mode: parsed.mode, tools: names.map((name) => ({ type: 'function', name })) },
    };
  }
  throw unsupportedTool(type, 'tool_choice.type');
}

function requireDeclared(name: string, tools: FunctionTool[], param: string): void {
  if (tools.some((tool) => tool.function.name === name)) return;
  throw new InvalidRequestError(`Tool choice '${name}' is not one of the function tools in 'tools'.`, param, 'invalid_value');
}

function unsupportedTool(type: string, param: string): InvalidRequestError {
  const kind = type === 'custom' ? 'a custom (free-form) tool' : 'a built-in OpenAI tool';
  return new InvalidRequestError(
    `The tool '${type}' is ${kind}, which this gateway does not run: only function tools are supported on /v1/responses. Remove it, or declare a function tool your code executes.`,
    param,
    'unsupported_tool',
  );
}
