/**
 * Every piece of free text in an OpenAI chat request that can carry personal data: message
 * content (a string or `text` parts), assistant tool-call arguments and tool results. Other
 * parts (images, audio, files) and the request's settings are left alone.
 *
 * `rewriteChatRequestText` returns a request whose texts went through `rewrite`, copying only
 * the objects on the way to a changed text: the caller's request (which the log may still
 * hold) is never changed, and a request with nothing to change comes back as the same object.
 *
 * JSON text (tool-call arguments, and tool results that are a JSON object or array) is parsed
 * and its string values rewritten one by one, then serialised again. Scanning the raw JSON
 * would read escapes as text (`\njane@example.com` as the address `njane@…`) and could put a
 * placeholder in the middle of an escape sequence.
 */
import type { ChatCompletionRequest, ChatMessage, ContentPart, ToolCall } from '../../protocol/chat-types.js';

/** `param` names where the text is, the way OpenAI names params: `messages[2].content[0].text`. */
export type TextRewrite = (text: string, param: string) => string;

export function rewriteChatRequestText(request: ChatCompletionRequest, rewrite: TextRewrite): ChatCompletionRequest {
  let messages: ChatMessage[] | undefined;
  request.messages.forEach((message, index) => {
    const next = rewriteMessage(message, `messages[${index}]`, rewrite);
    if (next !== message) (messages ??= [...request.messages])[index] = next;
  });
  return messages ? { ...request, messages } : request;
}

function rewriteMessage(message: ChatMessage, param: string, rewrite: TextRewrite): ChatMessage {
  const isToolResult = message.role === 'tool' || message.role === 'function';
  const content = rewriteContent(message.content, `${param}.content`, rewrite, isToolResult);
  const toolCalls = message.tool_calls ? rewriteToolCalls(message.tool_calls, `${param}.tool_calls`, rewrite) : undefined;
  if (content === message.content && toolCalls === message.tool_calls) return message;
  return { ...message, content, ...(toolCalls ? { tool_calls: toolCalls } : {}) };
}

function rewriteContent(content: ChatMessage['content'], param: string, rewrite: TextRewrite, isJsonLike: boolean): ChatMessage['content'] {
  if (typeof content === 'string') return isJsonLike ? rewriteMaybeJson(content, param, rewrite) : rewrite(content, param);
  if (!Array.isArray(content)) return content;
  let parts: ContentPart[] | undefined;
  content.forEach((part, index) => {
    if (part.type !== 'text' || typeof part.text !== 'string') return;
    const partParam = `${param}[${index}].text`;
    const text = isJsonLike ? rewriteMaybeJson(part.text, partParam, rewrite) : rewrite(part.text, partParam);
    if (text !== part.text) (parts ??= [...content])[index] = { ...part, text };
  });
  return parts ?? content;
}

function rewriteToolCalls(toolCalls: ToolCall[], param: string, rewrite: TextRewrite): ToolCall[] {
  let next: ToolCall[] | undefined;
  toolCalls.forEach((toolCall, index) => {
    const argumentsText = toolCall.function?.arguments;
    if (typeof argumentsText !== 'string') return;
    const rewritten = rewriteMaybeJson(argumentsText, `${param}[${index}].function.arguments`, rewrite);
    if (rewritten !== argumentsText) (next ??= [...toolCalls])[index] = { ...toolCall, function: { ...toolCall.function, arguments: rewritten } };
  });
  return next ?? toolCalls;
}

/** JSON object or array text: rewrite its string values; anything else: rewrite it as text. */
export function rewriteMaybeJson(text: string, param: string, rewrite: TextRewrite): string {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return rewrite(text, param);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return rewrite(text, param);
  }
  let changed = false;
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const next = rewrite(value, param);
      if (next !== value) changed = true;
      return next;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'object' && value !== null) {
      const copy: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(value)) copy[key] = walk(entry);
      return copy;
    }
    return value;
  };
  const rewritten = walk(parsed);
  return changed ? JSON.stringify(rewritten) : text;
}
