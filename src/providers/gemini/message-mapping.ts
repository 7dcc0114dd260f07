/**
 * OpenAI messages → Gemini `systemInstruction` + `contents`. Gemini calls the assistant `model`,
 * takes system prompts apart, and returns tool results as `functionResponse` parts in a user
 * turn, named by function rather than by call id: the name is looked up from the assistant
 * tool call the result answers. Consecutive same-role turns are merged, as Gemini expects one
 * user turn holding every function response to one model turn's calls.
 */
import { InvalidRequestError } from '../../errors/index.js';
import type { ChatMessage, ContentPart, ToolCall } from '../../protocol/chat-types.js';
import { mediaTypeFromUrl, parseDataUrl } from '../shared/data-url.js';
import type { GeminiContent, GeminiPart } from './gemini-types.js';
import { thoughtSignatureOf } from './thought-signature.js';

export interface GeminiConversation {
  systemParts: Array<{ text: string }>;
  contents: GeminiContent[];
}

export function mapMessages(messages: readonly ChatMessage[]): GeminiConversation {
  const systemParts: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  const functionNames = new Map<string, string>();
  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        systemParts.push(...textParts(message.content, param));
        return;
      case 'user':
        return appendContent(contents, 'user', userParts(message.content, param));
      case 'assistant':
        for (const call of message.tool_calls ?? []) functionNames.set(call.id, call.function.name);
        return appendContent(contents, 'model', modelParts(message, param));
      case 'tool':
        return appendContent(contents, 'user', [functionResponsePart(message, functionNames, param)]);
      default:
        throw new InvalidRequestError(`Role '${message.role}' is not supported for Gemini models; send tool results with role 'tool'.`, `${param}.role`);
    }
  });
  return { systemParts, contents };
}

function appendContent(contents: GeminiContent[], role: GeminiContent['role'], parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents[contents.length - 1];
  if (last && last.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

function textParts(content: ChatMessage['content'], param: string): Array<{ text: string }> {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  return content.flatMap((part, index) => {
    if (part.type !== 'text') throw new InvalidRequestError(`Only text parts are allowed here, got '${part.type}'.`, `${param}.content[${index}].type`);
    const text = String((part as { text?: unknown }).text ?? '');
    return text === '' ? [] : [{ text }];
  });
}

function userParts(content: ChatMessage['content'], param: string): GeminiPart[] {
  if (content === undefined || content === null || typeof content === 'string') return textParts(content, param);
  return content.flatMap((part, index) => contentPart(part, `${param}.content[${index}]`));
}

function contentPart(part: ContentPart, param: string): GeminiPart[] {
  switch (part.type) {
    case 'text': {
      const text = String((part as { text?: unknown }).text ?? '');
      return text === '' ? [] : [{ text }];
    }
    case 'image_url': {
      const url = (part as { image_url?: { url?: string } }).image_url?.url ?? '';
      const inline = parseDataUrl(url);
      if (inline) return [{ inlineData: { mimeType: inline.mediaType, data: inline.data } }];
      // Gemini fetches public http(s) URLs given as fileData; it wants the media type beside
      // the URL, guessed from the extension (JPEG, the commonest, when there is none).
      if (/^https?:\/\//i.test(url)) return [{ fileData: { mimeType: mediaTypeFromUrl(url) ?? 'image/jpeg', fileUri: url } }];
      throw new InvalidRequestError('An image URL must be an http(s) URL or a base64 data URL.', `${param}.image_url.url`);
    }
    case 'input_audio': {
      const audio = (part as { input_audio?: { data?: string; format?: string } }).input_audio;
      if (!audio?.data || !audio.format) throw new InvalidRequestError('input_audio needs data and format.', `${param}.input_audio`);
      return [{ inlineData: { mimeType: `audio/${audio.format}`, data: audio.data } }];
    }
    case 'file': {
      const fileData = (part as { file?: { file_data?: string } }).file?.file_data;
      const inline = fileData ? parseDataUrl(fileData) : undefined;
      if (inline) return [{ inlineData: { mimeType: inline.mediaType, data: inline.data } }];
      throw new InvalidRequestError('Gemini models take files as base64 data URLs in `file.file_data`; file ids are not supported.', `${param}.file`);
    }
    default:
      throw new InvalidRequestError(`Content parts of type '${part.type}' are not supported for Gemini models.`, `${param}.type`);
  }
}

function modelParts(message: ChatMessage, param: string): GeminiPart[] {
  const parts: GeminiPart[] = textParts(message.content, param);
  message.tool_calls?.forEach((call, index) => parts.push(functionCallPart(call, `${param}.tool_calls[${index}]`)));
  return parts;
}

function functionCallPart(call: ToolCall, param: string): GeminiPart {
  const args = parseArguments(call.function.arguments, `${param}.function.arguments`);
  const signature = thoughtSignatureOf(call);
  const part: GeminiPart = { functionCall: { name: call.function.name, args } };
  return signature === undefined ? part : { ...part, thoughtSignature: signature };
}

/** Gemini's `args` is an object; OpenAI sends a JSON string, empty meaning no arguments. */
function parseArguments(text: string, param: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidRequestError('Tool call arguments must be a JSON string.', param);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidRequestError('Tool call arguments must be a JSON object for Gemini models.', param);
  }
  return parsed as Record<string, unknown>;
}

/**
 * A tool result. Gemini's `response` is an object: a JSON-object result is passed as it is,
 * anything else is wrapped as `{ content: "<text>" }`.
 */
function functionResponsePart(message: ChatMessage, functionNames: ReadonlyMap<string, string>, param: string): GeminiPart {
  const name = message.tool_call_id ? functionNames.get(message.tool_call_id) : undefined;
  if (!name) {
    throw new InvalidRequestError("A 'tool' message must answer a tool call of an earlier assistant message (its 'tool_call_id').", `${param}.tool_call_id`);
  }
  const text = typeof message.content === 'string' ? message.content : textParts(message.content, param).map((part) => part.text).join('');
  return { functionResponse: { name, response: resultObject(text) } };
}

function resultObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Not JSON: plain text, wrapped below.
  }
  return { content: text };
}
