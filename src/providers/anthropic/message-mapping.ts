/**
 * OpenAI messages → Anthropic `system` + `messages`. Anthropic differs in four ways that matter:
 * the system prompt is a top-level field, roles must alternate (so consecutive same-role turns are
 * merged), tool results are `tool_result` blocks inside a user turn, and assistant tool calls are
 * `tool_use` blocks whose `input` is an object rather than a JSON string.
 */
import { InvalidRequestError } from '../../errors/index.js';
import type { ChatMessage, ContentPart } from '../../protocol/chat-types.js';
import { parseDataUrl } from '../shared/data-url.js';
import type { AnthropicContentBlock, AnthropicMessage, AnthropicTextBlock } from './anthropic-types.js';

export interface AnthropicConversation {
  system: AnthropicTextBlock[];
  messages: AnthropicMessage[];
}

export function mapMessages(messages: readonly ChatMessage[]): AnthropicConversation {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content, param));
        return;
      case 'user':
        return appendTurn(turns, 'user', userBlocks(message.content, param));
      case 'assistant':
        return appendTurn(turns, 'assistant', assistantBlocks(message, param));
      case 'tool':
        return appendTurn(turns, 'user', [toolResultBlock(message, param)]);
      default:
        throw new InvalidRequestError(`Role '${message.role}' is not supported for Anthropic models; send tool results with role 'tool'.`, `${param}.role`);
    }
  });
  return { system, messages: turns };
}

/** Anthropic rejects two turns of the same role in a row, so their blocks are joined. */
function appendTurn(turns: AnthropicMessage[], role: AnthropicMessage['role'], blocks: AnthropicContentBlock[]): void {
  if (blocks.length === 0) return;
  const last = turns[turns.length - 1];
  if (last && last.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

/** Text blocks of a string or text-part content; empty text is dropped because Anthropic rejects it. */
function textBlocks(content: ChatMessage['content'], param: string): AnthropicTextBlock[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.flatMap((part, index) => {
    if (part.type !== 'text') throw new InvalidRequestError(`Only text parts are allowed here, got '${part.type}'.`, `${param}.content[${index}].type`);
    return textBlock(part);
  });
}

/** A text part, keeping a client's `cache_control` marker (the LiteLLM convention for prompt caching). */
function textBlock(part: ContentPart): AnthropicTextBlock[] {
  const text = String((part as { text?: unknown }).text ?? '');
  if (text === '') return [];
  const cacheControl = (part as { cache_control?: unknown }).cache_control;
  return [cacheControl === undefined ? { type: 'text', text } : { type: 'text', text, cache_control: cacheControl }];
}

function userBlocks(content: ChatMessage['content'], param: string): AnthropicContentBlock[] {
  if (content === undefined || content === null || typeof content === 'string') return textBlocks(content, param);
  return content.flatMap((part, index) => partBlocks(part, `${param}.content[${index}]`));
}

function partBlocks(part: ContentPart, param: string): AnthropicContentBlock[] {
  switch (part.type) {
    case 'text':
      return textBlock(part);
    case 'image_url': {
      const url = (part as { image_url?: { url?: string } }).image_url?.url ?? '';
      const inline = parseDataUrl(url);
      if (inline) return [{ type: 'image', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } }];
      if (/^https?:\/\//i.test(url)) return [{ type: 'image', source: { type: 'url', url } }];
      throw new InvalidRequestError('An image URL must be an http(s) URL or a base64 data URL.', `${param}.image_url.url`);
    }
    case 'file': {
      const fileData = (part as { file?: { file_data?: string } }).file?.file_data;
      const inline = fileData ? parseDataUrl(fileData) : undefined;
      if (inline) return [{ type: 'document', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } }];
      throw new InvalidRequestError('Anthropic models take files as base64 data URLs in `file.file_data`; file ids are not supported.', `${param}.file`);
    }
    default:
      throw new InvalidRequestError(`Content parts of type '${part.type}' are not supported for Anthropic models.`, `${param}.type`);
  }
}

function assistantBlocks(message: ChatMessage, param: string): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = textBlocks(message.content, param);
  message.tool_calls?.forEach((call, index) => {
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments, `${param}.tool_calls[${index}].function.arguments`) });
  });
  return blocks;
}

/** Tool-call arguments arrive as a JSON string; Anthropic wants the object. Empty means no arguments. */
function parseArguments(text: string, param: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError('Tool call arguments must be a JSON string.', param);
  }
}

function toolResultBlock(message: ChatMessage, param: string): AnthropicContentBlock {
  if (!message.tool_call_id) throw new InvalidRequestError("A 'tool' message needs the 'tool_call_id' it answers.", `${param}.tool_call_id`);
  const content = typeof message.content === 'string' || message.content === undefined || message.content === null
    ? message.content ?? ''
    : textBlocks(message.content, param);
  return { type: 'tool_result', tool_use_id: message.tool_call_id, content };
}
