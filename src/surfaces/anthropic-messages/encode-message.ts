/**
 * An OpenAI chat completion → the Anthropic `message` a `/v1/messages` client expects.
 *
 * Content blocks, in the order Claude writes them:
 * - thinking: LiteLLM's `thinking_blocks` when present (they carry Anthropic's signatures and
 *   redacted blocks), else one thinking block with an empty signature for `reasoning_content` or
 *   `reasoning` text (protocol/reasoning.ts);
 * - text: the content, or the refusal;
 * - tool_use: one per tool call, `input` parsed from the arguments string. Arguments that are not
 *   a JSON object (a model's malformed output) become `{}`: Anthropic clients require an object,
 *   and an empty one fails the tool's own validation where the model can see and retry it.
 *
 * `model` is the name the client sent; the serving model is in the response headers.
 */
import type { AnthropicResponse, AnthropicResponseBlock } from '../../protocol/anthropic-messages-types.js';
import { toAnthropicUsage } from '../../protocol/anthropic-usage.js';
import type { ChatCompletion, Usage } from '../../protocol/chat-types.js';
import { reasoningTextOf, thinkingBlocksOf } from '../../protocol/reasoning.js';
import { messageIdFor } from './message-id.js';
import { stopReasonFor } from './stop-reason.js';

const NO_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

export interface EncodeMessageOptions {
  /** The model name the client sent. */
  model: string;
  /** Usage to report when the completion has none (tokens the gateway counted itself). */
  fallbackUsage?: Usage;
}

export function encodeMessage(completion: ChatCompletion, options: EncodeMessageOptions): AnthropicResponse {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: AnthropicResponseBlock[] = [];
  if (message) {
    const thinkingBlocks = thinkingBlocksOf(message);
    const reasoning = reasoningTextOf(message);
    if (thinkingBlocks.length > 0) content.push(...thinkingBlocks);
    else if (reasoning !== undefined) content.push({ type: 'thinking', thinking: reasoning, signature: '' });
    const text = message.content || message.refusal;
    if (text) content.push({ type: 'text', text });
    for (const call of message.tool_calls ?? []) {
      content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseToolInput(call.function.arguments) });
    }
  }
  const producedToolUse = content.some((block) => block.type === 'tool_use');
  return {
    id: messageIdFor(completion.id),
    type: 'message',
    role: 'assistant',
    model: options.model,
    content,
    stop_reason: message?.refusal && !message.content ? 'refusal' : stopReasonFor(choice?.finish_reason, producedToolUse),
    stop_sequence: null,
    usage: toAnthropicUsage(completion.usage ?? options.fallbackUsage ?? NO_USAGE),
  };
}

/** Tool-call arguments (a JSON string) → the `input` object Anthropic clients expect. */
export function parseToolInput(argumentsText: string): Record<string, unknown> {
  try {
    const input: unknown = JSON.parse(argumentsText === '' ? '{}' : argumentsText);
    return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
