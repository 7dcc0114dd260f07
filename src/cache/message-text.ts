/** The text of a chat message's content: a string, or its text parts joined. */
import type { ChatMessage } from '../protocol/chat-types.js';

export function messageText(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  let text = '';
  for (const part of message.content ?? []) if (part.type === 'text') text += (text ? '\n' : '') + (part as { text: string }).text;
  return text;
}
