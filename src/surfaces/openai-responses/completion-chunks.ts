/**
 * A whole completion as the chunks a stream of it would have sent: its text, its tool calls, the
 * finish reason, then usage. A route can answer a streaming request with a completion it already
 * holds (a cascade's accepted answer); the stream encoder then tells it as a stream.
 */
import type { ChatCompletion, ChatCompletionChunk } from '../../protocol/chat-types.js';

export function completionChunks(completion: ChatCompletion): ChatCompletionChunk[] {
  const base = { id: completion.id, object: 'chat.completion.chunk' as const, created: completion.created, model: completion.model };
  const choice = completion.choices[0];
  const chunks: ChatCompletionChunk[] = [];
  if (choice) {
    const { message } = choice;
    const toolCalls = message.tool_calls?.map((toolCall, index) => ({ index, ...toolCall }));
    const delta = {
      role: 'assistant' as const,
      content: message.content ?? '',
      ...(message.refusal ? { refusal: message.refusal } : {}),
      ...(toolCalls ? { tool_calls: toolCalls } : {}),
    };
    chunks.push({ ...base, choices: [{ index: 0, delta, finish_reason: null }] });
    chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: choice.finish_reason }] });
  }
  if (completion.usage) chunks.push({ ...base, choices: [], usage: completion.usage });
  return chunks;
}
