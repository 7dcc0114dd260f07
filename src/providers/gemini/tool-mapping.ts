/**
 * OpenAI tools and `tool_choice` → Gemini `tools[].functionDeclarations` and `toolConfig`.
 * Parameters go in `parametersJsonSchema`, which takes JSON Schema as OpenAI clients write it;
 * the older `parameters` field takes an OpenAPI subset that rejects common keys such as
 * `additionalProperties: false` (emitted by OpenAI's strict-mode helpers) and `"type": [..., "null"]`.
 */
import type { ChatCompletionRequest, FunctionTool, ToolChoice } from '../../protocol/chat-types.js';
import type { GeminiFunctionDeclaration, GeminiRequest, GeminiToolConfig } from './gemini-types.js';

export function mapToolFields(request: ChatCompletionRequest): Pick<GeminiRequest, 'tools' | 'toolConfig'> {
  if (!request.tools || request.tools.length === 0) return {};
  const fields: Pick<GeminiRequest, 'tools' | 'toolConfig'> = { tools: [{ functionDeclarations: request.tools.map(mapTool) }] };
  const toolConfig = mapToolChoice(request.tool_choice);
  if (toolConfig) fields.toolConfig = toolConfig;
  return fields;
}

function mapTool(tool: FunctionTool): GeminiFunctionDeclaration {
  const declaration: GeminiFunctionDeclaration = { name: tool.function.name };
  if (tool.function.description !== undefined) declaration.description = tool.function.description;
  if (tool.function.parameters !== undefined) declaration.parametersJsonSchema = tool.function.parameters;
  return declaration;
}

function mapToolChoice(choice: ToolChoice | undefined): GeminiToolConfig | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
}
