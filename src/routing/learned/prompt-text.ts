/**
 * The text the learned router scores for a chat request. The router was trained on single
 * prompts, so the last user message is what it knows how to judge: it carries the question
 * being asked now. Earlier turns still matter (a follow-up like "now do it in Rust" is only
 * hard because of what came before), so up to `CONTEXT_CHARACTERS` of the most recent earlier
 * text is prepended. The bound keeps long conversations from drowning the current question
 * and keeps the decision inside its latency budget. System and developer messages are left
 * out: an application sends the same one with every request, so it says nothing about which
 * request is hard, and it is often long enough to crowd out the question.
 */
import type { ChatMessage } from '../../protocol/chat-types.js';

/** Characters of earlier conversation kept before the last user message (~500 tokens). */
export const CONTEXT_CHARACTERS = 2000;

export function promptTextFromMessages(messages: readonly ChatMessage[]): string {
  let lastUser = -1;
  for (let index = messages.length - 1; index >= 0; index--) {
    if (messages[index].role === 'user') {
      lastUser = index;
      break;
    }
  }
  if (lastUser < 0) return messages.map(messageText).join('\n');
  const question = messageText(messages[lastUser]);
  let context = '';
  for (let index = lastUser - 1; index >= 0 && context.length < CONTEXT_CHARACTERS; index--) {
    if (messages[index].role === 'system' || messages[index].role === 'developer') continue;
    const text = messageText(messages[index]);
    if (text !== '') context = context === '' ? text : text + '\n' + context;
  }
  if (context.length > CONTEXT_CHARACTERS) context = context.slice(context.length - CONTEXT_CHARACTERS);
  return context === '' ? question : context + '\n' + question;
}

function messageText(message: ChatMessage): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (part.type === 'text' && typeof part.text === 'string') text += (text === '' ? '' : '\n') + part.text;
  }
  return text;
}
