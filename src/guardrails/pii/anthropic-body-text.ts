/**
 * Every piece of free text in an Anthropic Messages request body, for masking the body that a
 * same-protocol pass-through sends as it is (protocol/native-body.ts): the system prompt,
 * `text` blocks, `tool_use` inputs (each string value) and `tool_result` contents. Thinking
 * blocks are left alone: their signature covers their text, and a changed one is refused.
 * Images, documents and server-tool blocks are not scanned, as in chat-request-text.ts.
 *
 * Like `rewriteChatRequestText`, it copies only what changes and returns the same body when
 * nothing does.
 */
import type { AnthropicMessagesBody } from '../../protocol/anthropic-messages-types.js';
import { rewriteMaybeJson, type TextRewrite } from './chat-request-text.js';

type Block = Record<string, unknown>;

export function rewriteAnthropicBodyText(body: AnthropicMessagesBody, rewrite: TextRewrite): AnthropicMessagesBody {
  const system = rewriteContent(body.system, 'system', rewrite);
  let messages: unknown[] | undefined;
  if (Array.isArray(body.messages)) {
    body.messages.forEach((message: unknown, index) => {
      if (!isBlock(message)) return;
      const content = rewriteContent(message.content, `messages[${index}].content`, rewrite);
      if (content !== message.content) (messages ??= [...(body.messages as unknown[])])[index] = { ...message, content };
    });
  }
  if (system === body.system && !messages) return body;
  return { ...body, ...(system !== body.system ? { system } : {}), ...(messages ? { messages } : {}) };
}

function rewriteContent(content: unknown, param: string, rewrite: TextRewrite): unknown {
  if (typeof content === 'string') return rewrite(content, param);
  if (!Array.isArray(content)) return content;
  let blocks: unknown[] | undefined;
  content.forEach((block: unknown, index) => {
    const next = isBlock(block) ? rewriteBlock(block, `${param}[${index}]`, rewrite) : block;
    if (next !== block) (blocks ??= [...content])[index] = next;
  });
  return blocks ?? content;
}

function rewriteBlock(block: Block, param: string, rewrite: TextRewrite): Block {
  if (block.type === 'text' && typeof block.text === 'string') {
    const text = rewrite(block.text, `${param}.text`);
    return text === block.text ? block : { ...block, text };
  }
  if (block.type === 'tool_use' && block.input !== undefined) {
    const input = rewriteValue(block.input, `${param}.input`, rewrite);
    return input === block.input ? block : { ...block, input };
  }
  if (block.type === 'tool_result') {
    const content = typeof block.content === 'string' ? rewriteMaybeJson(block.content, `${param}.content`, rewrite) : rewriteContent(block.content, `${param}.content`, rewrite);
    return content === block.content ? block : { ...block, content };
  }
  return block;
}

/** Each string in a JSON value, copying only the containers on the way to a change. */
export function rewriteValue(value: unknown, param: string, rewrite: TextRewrite): unknown {
  if (typeof value === 'string') return rewrite(value, param);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((entry, index) => {
      const next = rewriteValue(entry, param, rewrite);
      if (next !== entry) (copy ??= [...value])[index] = next;
    });
    return copy ?? value;
  }
  if (isBlock(value)) {
    let copy: Block | undefined;
    for (const [key, entry] of Object.entries(value)) {
      const next = rewriteValue(entry, param, rewrite);
      if (next !== entry) (copy ??= { ...value })[key] = next;
    }
    return copy ?? value;
  }
  return value;
}

function isBlock(value: unknown): value is Block {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
