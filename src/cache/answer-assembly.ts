/**
 * A stored stream as a whole answer, for a JSON request served from a streamed entry: OpenAI
 * chunks into a completion, Anthropic events into a message (text, thinking with its
 * signature, tool input from its JSON fragments).
 */
import type { AnthropicResponse, AnthropicResponseBlock, AnthropicUsage } from '../protocol/anthropic-messages-types.js';
import { mergeUsage } from '../protocol/anthropic-usage.js';
import type { ChatCompletion, ChatCompletionChoice, ChatCompletionChunk, ToolCall } from '../protocol/chat-types.js';
import type { ServerSentEvent } from '../providers/shared/sse-parser.js';

export function completionFromChunks(chunks: readonly ChatCompletionChunk[]): ChatCompletion {
  const first = chunks[0];
  const choices = new Map<number, ChatCompletionChoice>();
  let usage: ChatCompletion['usage'];
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const delta of chunk.choices) {
      let choice = choices.get(delta.index);
      if (!choice) {
        choice = { index: delta.index, message: { role: 'assistant', content: null }, finish_reason: null };
        choices.set(delta.index, choice);
      }
      const { message } = choice;
      if (typeof delta.delta.content === 'string') message.content = (message.content ?? '') + delta.delta.content;
      if (typeof delta.delta.refusal === 'string') message.refusal = (message.refusal ?? '') + delta.delta.refusal;
      for (const call of delta.delta.tool_calls ?? []) {
        const calls = (message.tool_calls ??= []);
        const existing: ToolCall = (calls[call.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (call.id) existing.id = call.id;
        if (call.function?.name) existing.function.name += call.function.name;
        if (call.function?.arguments) existing.function.arguments += call.function.arguments;
      }
      if (delta.finish_reason) choice.finish_reason = delta.finish_reason;
    }
  }
  const completion: ChatCompletion = {
    id: first?.id ?? 'chatcmpl-cached',
    object: 'chat.completion',
    created: first?.created ?? Math.floor(Date.now() / 1000),
    model: first?.model ?? '',
    choices: [...choices.values()].sort((a, b) => a.index - b.index),
  };
  if (usage) completion.usage = usage;
  if (first?.system_fingerprint !== undefined) completion.system_fingerprint = first.system_fingerprint;
  return completion;
}

export function messageFromEvents(events: readonly ServerSentEvent[]): AnthropicResponse {
  let message: AnthropicResponse | undefined;
  const partialInput = new Map<number, string>();
  for (const event of events) {
    const data = JSON.parse(event.data) as Record<string, any>;
    switch (event.event ?? data.type) {
      case 'message_start':
        message = { ...(data.message as AnthropicResponse), content: [] };
        break;
      case 'content_block_start':
        message!.content[data.index] = { ...(data.content_block as AnthropicResponseBlock) };
        break;
      case 'content_block_delta': {
        const block = message!.content[data.index] as Record<string, unknown>;
        const delta = data.delta as Record<string, string>;
        if (delta.type === 'text_delta') block.text = String(block.text ?? '') + delta.text;
        else if (delta.type === 'thinking_delta') block.thinking = String(block.thinking ?? '') + delta.thinking;
        else if (delta.type === 'signature_delta') block.signature = delta.signature;
        else if (delta.type === 'input_json_delta') partialInput.set(data.index, (partialInput.get(data.index) ?? '') + delta.partial_json);
        break;
      }
      case 'content_block_stop': {
        const json = partialInput.get(data.index);
        if (json !== undefined) (message!.content[data.index] as Record<string, unknown>).input = json === '' ? {} : JSON.parse(json);
        break;
      }
      case 'message_delta':
        message!.stop_reason = data.delta?.stop_reason ?? message!.stop_reason;
        message!.stop_sequence = data.delta?.stop_sequence ?? message!.stop_sequence ?? null;
        message!.usage = mergeUsage(message!.usage ?? {}, data.usage as AnthropicUsage | undefined);
        break;
    }
  }
  if (!message) throw new Error('a stored Anthropic stream has no message_start');
  return message;
}

/** A minimal OpenAI view of an Anthropic message: what the request log and pricing read. */
export function completionOfMessage(message: AnthropicResponse): ChatCompletion {
  let text = '';
  let hasToolUse = false;
  for (const block of message.content) {
    if (block.type === 'text') text += String(block.text);
    if (block.type === 'tool_use') hasToolUse = true;
  }
  return {
    id: message.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: message.model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: hasToolUse ? 'tool_calls' : message.stop_reason === 'max_tokens' ? 'length' : 'stop' }],
  };
}
