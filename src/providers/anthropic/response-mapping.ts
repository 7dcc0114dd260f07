/**
 * An Anthropic Messages response → an OpenAI chat completion. Text blocks are joined into
 * `content`; `tool_use` blocks become `tool_calls` with `arguments = JSON.stringify(input)`;
 * thinking blocks become `reasoning_content` and, signatures included, LiteLLM's
 * `thinking_blocks` (protocol/reasoning.ts); server tool results have no place and are left out.
 */
import type { ChatCompletion, ToolCall } from '../../protocol/chat-types.js';
import type { ThinkingBlock } from '../../protocol/reasoning.js';
import type { AnthropicResponse } from './anthropic-types.js';
import { mapStopReason } from './finish-reason.js';
import { JSON_TOOL_NAME } from './tool-mapping.js';
import { mapUsage } from '../../protocol/anthropic-usage.js';

export interface ResponseMappingContext {
  /** Unix seconds for `created`; Anthropic does not send one. */
  created: number;
  /** The request was in JSON mode, so the forced `json_tool_call` input is the content. */
  jsonMode: boolean;
}

export function mapAnthropicResponse(response: AnthropicResponse, context: ResponseMappingContext): ChatCompletion {
  let text = '';
  let json: string | undefined;
  const toolCalls: ToolCall[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  let reasoning = '';
  for (const block of response.content) {
    if (block.type === 'text') text += String(block.text);
    else if (block.type === 'thinking' || block.type === 'redacted_thinking') {
      thinkingBlocks.push(block as ThinkingBlock);
      if (block.type === 'thinking') reasoning += String(block.thinking);
    }
    else if (block.type === 'tool_use') {
      const call = block as { id: string; name: string; input: unknown };
      const argumentsText = JSON.stringify(call.input ?? {});
      if (context.jsonMode && call.name === JSON_TOOL_NAME) json = argumentsText;
      else toolCalls.push({ id: call.id, type: 'function', function: { name: call.name, arguments: argumentsText } });
    }
  }
  const content = json ?? (text === '' && toolCalls.length > 0 ? null : text);
  return {
    id: response.id,
    object: 'chat.completion',
    created: context.created,
    model: response.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          ...(thinkingBlocks.length > 0 ? { reasoning_content: reasoning, thinking_blocks: thinkingBlocks } : {}),
        },
        finish_reason: mapStopReason(response.stop_reason, context.jsonMode),
        logprobs: null,
      },
    ],
    usage: mapUsage(response.usage ?? {}),
  };
}
