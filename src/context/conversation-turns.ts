/**
 * A conversation as what may be dropped and what may not. System and developer messages are
 * pinned: always kept, where they were. Everything else is cut into turns, each starting at a
 * user message and running to the next one, so an assistant's tool calls and the tool results
 * that answer them are always in the same turn and are kept or dropped together.
 */
import type { ChatMessage } from '../protocol/chat-types.js';

export interface Conversation {
  /** Pinned messages before the first turn (the usual place of system prompts). */
  leading: ChatMessage[];
  /** Each turn's messages, oldest first; pinned messages inside a turn stay in it, and are never dropped. */
  turns: ChatMessage[][];
}

export function splitTurns(messages: readonly ChatMessage[]): Conversation {
  const leading: ChatMessage[] = [];
  const turns: ChatMessage[][] = [];
  for (const message of messages) {
    if (message.role === 'user' || (turns.length === 0 && !isPinned(message))) turns.push([message]);
    else if (turns.length === 0) leading.push(message);
    else turns[turns.length - 1]!.push(message);
  }
  return { leading, turns };
}

export function isPinned(message: ChatMessage): boolean {
  return message.role === 'system' || message.role === 'developer';
}

/** The messages with the first `dropped` turns removed, their pinned messages kept, and `insert` after the leading ones. */
export function withoutTurns(conversation: Conversation, dropped: number, insert: readonly ChatMessage[] = []): ChatMessage[] {
  const kept: ChatMessage[] = [...conversation.leading, ...insert];
  conversation.turns.forEach((turn, index) => {
    if (index >= dropped) kept.push(...turn);
    else kept.push(...turn.filter(isPinned));
  });
  return kept;
}
