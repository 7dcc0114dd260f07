/** The text of a conversation's last user turn, bounded, for prompts the gateway writes itself. */
import type { ChatMessage } from '../../protocol/chat-types.js';

export function lastUserText(messages: readonly ChatMessage[], maxCharacters: number): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role !== 'user') continue;
    const text =
      typeof message.content === 'string'
        ? message.content
        : (message.content ?? [])
            .filter((part) => part.type === 'text')
            .map((part) => (part as { text: string }).text)
            .join('\n');
    return text.length > maxCharacters ? `${text.slice(0, maxCharacters)}…` : text;
  }
  return '';
}
