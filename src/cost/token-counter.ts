/**
 * Token counting for upstreams that report no usage. Uses OpenAI's o200k tokenizer, which is
 * exact for current OpenAI models and a close estimate for others (costs counted this way are
 * marked `estimated`). The tokenizer loads lazily: it takes ~300 ms and most requests never need it.
 */
import type { ChatMessage } from '../protocol/chat-types.js';

type CountTokens = (text: string) => number;
let counter: CountTokens | undefined;
let loading: Promise<CountTokens> | undefined;

export function loadTokenizer(): Promise<CountTokens> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base').then((module) => {
    counter = module.countTokens as CountTokens;
    return counter;
  });
  return loading;
}

/** Counts tokens exactly once the tokenizer has loaded, else estimates at ~4 characters a token. */
export function countTokens(text: string): number {
  if (counter) return counter(text);
  void loadTokenizer();
  return estimateTokens(text);
}

/** A fast estimate (~4 characters a token) for decisions on the hot path. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The text a chat request sends, for counting prompt tokens. */
export function messagesText(messages: readonly ChatMessage[]): string {
  let text = '';
  for (const message of messages) {
    text += message.role + '\n';
    if (typeof message.content === 'string') text += message.content + '\n';
    else if (Array.isArray(message.content)) {
      for (const part of message.content) if (part.type === 'text') text += (part as { text: string }).text + '\n';
    }
    if (message.tool_calls) for (const call of message.tool_calls) text += call.function.name + call.function.arguments + '\n';
  }
  return text;
}

/** Prompt tokens of a chat request: text plus OpenAI's per-message framing overhead. */
export function countPromptTokens(messages: readonly ChatMessage[]): number {
  return countTokens(messagesText(messages)) + 3 * messages.length + 3;
}
