/**
 * Anthropic `system` + `messages` → OpenAI messages.
 *
 * - `system` becomes one system message: a string stays a string, text blocks become text parts
 *   that keep `cache_control` (the convention the Anthropic provider reads back).
 * - A user turn's `tool_result` blocks become `tool` messages placed first, because OpenAI wants
 *   them right after the assistant message whose `tool_calls` they answer; the turn's other blocks
 *   follow as one user message. `is_error` is kept as an `Error: ` prefix on the result text.
 *   OpenAI tool messages carry text only, so images inside a tool result move to that user message.
 * - An assistant turn's text blocks are joined into `content` (citations split a sentence across
 *   blocks, so they are joined without a separator) and its `tool_use` blocks become `tool_calls`.
 * - Thinking and redacted thinking blocks in the history are dropped: no OpenAI-format model can
 *   check Anthropic's signatures, and none needs the text to continue.
 * - Anything else (server tool blocks, file ids, document URLs, an assistant prefill) is listed as
 *   untranslatable and left out.
 */
import type { ChatMessage, ContentPart, ToolCall } from '../../protocol/chat-types.js';
import type {
  ContentBlockParam,
  DocumentBlockParam,
  ImageBlockParam,
  MessageParam,
  MessagesRequest,
  TextBlockParam,
  ToolResultBlockParam,
  ToolUseBlockParam,
} from './request-schema.js';
import type { UntranslatableFeature } from '../../errors/index.js';

/** Marks a failed tool result inside the `tool` message text, which has no flag for it. */
export const TOOL_ERROR_PREFIX = 'Error: ';

export function decodeSystem(system: MessagesRequest['system']): ChatMessage[] {
  if (system === undefined) return [];
  if (typeof system === 'string') return system === '' ? [] : [{ role: 'system', content: system }];
  if (system.length === 0) return [];
  return [{ role: 'system', content: system.map(textPart) }];
}

export function decodeMessages(messages: readonly MessageParam[], untranslatable: UntranslatableFeature[]): ChatMessage[] {
  const decoded: ChatMessage[] = [];
  messages.forEach((message, index) => {
    const param = `messages.${index}`;
    if (message.role === 'user') decoded.push(...decodeUserTurn(message.content, param, untranslatable));
    else decoded.push(decodeAssistantTurn(message.content, param, untranslatable));
  });
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant') {
    untranslatable.push({ feature: "an assistant prefill (a last message with role 'assistant')", param: `messages.${messages.length - 1}` });
  }
  return decoded;
}

function decodeUserTurn(content: MessageParam['content'], param: string, untranslatable: UntranslatableFeature[]): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const toolMessages: ChatMessage[] = [];
  const movedImages: ContentPart[] = [];
  const parts: ContentPart[] = [];
  content.forEach((block, index) => {
    const blockParam = `${param}.content.${index}`;
    if (block.type === 'tool_result') {
      const result = decodeToolResult(block as ToolResultBlockParam, blockParam, untranslatable);
      toolMessages.push(result.message);
      movedImages.push(...result.images);
    } else if (block.type === 'thinking' || block.type === 'redacted_thinking') {
      // Only valid in assistant turns; Anthropic would reject it, and there is nothing to keep.
    } else {
      parts.push(...decodeUserBlock(block, blockParam, untranslatable));
    }
  });
  const userParts = [...movedImages, ...parts];
  return userParts.length > 0 ? [...toolMessages, { role: 'user', content: userParts }] : toolMessages;
}

function decodeUserBlock(block: ContentBlockParam, param: string, untranslatable: UntranslatableFeature[]): ContentPart[] {
  switch (block.type) {
    case 'text':
      return [textPart(block as TextBlockParam)];
    case 'image':
      return imagePart(block as ImageBlockParam, param, untranslatable);
    case 'document':
      return documentParts(block as DocumentBlockParam, param, untranslatable);
    default:
      untranslatable.push({ feature: `'${block.type}' content blocks in a user message`, param });
      return [];
  }
}

function decodeToolResult(block: ToolResultBlockParam, param: string, untranslatable: UntranslatableFeature[]): { message: ChatMessage; images: ContentPart[] } {
  const texts: string[] = [];
  const images: ContentPart[] = [];
  if (typeof block.content === 'string') texts.push(block.content);
  else {
    (block.content ?? []).forEach((inner, index) => {
      const innerParam = `${param}.content.${index}`;
      if (inner.type === 'text') texts.push((inner as TextBlockParam).text);
      else if (inner.type === 'image') images.push(...imagePart(inner as ImageBlockParam, innerParam, untranslatable));
      else if (inner.type === 'document' && (inner as DocumentBlockParam).source.type === 'text') texts.push(String((inner as DocumentBlockParam).source.data));
      else untranslatable.push({ feature: `'${inner.type}' blocks inside a tool result`, param: innerParam });
    });
  }
  const text = texts.join('\n');
  return {
    message: { role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error ? `${TOOL_ERROR_PREFIX}${text}` : text },
    images,
  };
}

function decodeAssistantTurn(content: MessageParam['content'], param: string, untranslatable: UntranslatableFeature[]): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  let text = '';
  let hasText = false;
  const toolCalls: ToolCall[] = [];
  content.forEach((block, index) => {
    switch (block.type) {
      case 'text':
        text += (block as TextBlockParam).text;
        hasText = true;
        return;
      case 'tool_use': {
        const call = block as ToolUseBlockParam;
        toolCalls.push({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.input) } });
        return;
      }
      case 'thinking':
      case 'redacted_thinking':
        return;
      default:
        untranslatable.push({ feature: `'${block.type}' content blocks in an assistant message`, param: `${param}.content.${index}` });
    }
  });
  const message: ChatMessage = { role: 'assistant', content: hasText || toolCalls.length === 0 ? text : null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

/** A text block as a text part, keeping a `cache_control` marker when the client set one. */
function textPart(block: TextBlockParam): ContentPart {
  return block.cache_control ? { type: 'text', text: block.text, cache_control: block.cache_control } : { type: 'text', text: block.text };
}

function imagePart(block: ImageBlockParam, param: string, untranslatable: UntranslatableFeature[]): ContentPart[] {
  const source = block.source;
  if (source.type === 'base64') return [{ type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } }];
  if (source.type === 'url') return [{ type: 'image_url', image_url: { url: source.url } }];
  untranslatable.push({ feature: 'an image given by Files API id', param: `${param}.source` });
  return [];
}

/**
 * A document: an inline PDF becomes a `file` part (OpenAI's shape for PDFs), plain text and
 * `content` sources become text parts. A URL or a Files API id has no OpenAI equivalent.
 */
function documentParts(block: DocumentBlockParam, param: string, untranslatable: UntranslatableFeature[]): ContentPart[] {
  const source = block.source;
  switch (source.type) {
    case 'base64':
      return [{ type: 'file', file: { filename: block.title || defaultFilename(source.media_type), file_data: `data:${source.media_type};base64,${source.data}` } }];
    case 'text':
      return [{ type: 'text', text: source.data }];
    case 'content':
      if (typeof source.content === 'string') return [{ type: 'text', text: source.content }];
      return source.content.flatMap((inner, index) => decodeUserBlock(inner, `${param}.source.content.${index}`, untranslatable));
    default:
      untranslatable.push({ feature: `a document given by ${source.type === 'url' ? 'URL' : 'Files API id'}`, param: `${param}.source` });
      return [];
  }
}

/** OpenAI wants a filename beside inline file data; Anthropic's `title` is optional. */
function defaultFilename(mediaType: string): string {
  return mediaType === 'application/pdf' ? 'document.pdf' : 'document';
}
