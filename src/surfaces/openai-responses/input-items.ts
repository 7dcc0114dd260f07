/**
 * Responses `input` items → Chat Completions messages.
 *
 * - A message item becomes a message of the same role; its `input_text`, `input_image`,
 *   `input_file` and `input_audio` parts become `text`, `image_url`, `file` and `input_audio`
 *   parts. An assistant message (an earlier answer sent back, or an output item replayed from
 *   the store) becomes plain assistant text, with any refusal in `refusal`.
 * - `function_call` items join the assistant message before them as `tool_calls` (a new assistant
 *   message when there is none), so parallel calls stay one assistant turn, as Chat wants.
 *   The `call_id` is the tool call's id: it is the id the upstream gave the call.
 * - `function_call_output` becomes a `tool` message. A Chat tool message holds only text, so the
 *   images and files of an output go into one user message right after the run of tool messages
 *   (putting it between two tool messages would break the turn).
 * - `reasoning` items are dropped: their content is encrypted for OpenAI's servers, and the
 *   canonical request has no place for reasoning.
 * - Items of the hosted tools are refused by type. An `item_reference` is replaced by its stored
 *   item before decoding (store/conversation.ts); one left here is refused.
 */
import { z } from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import type { ChatMessage, ContentPart, ToolCall } from '../../protocol/chat-types.js';
import { formatPath } from '../../protocol/chat-request-schema.js';
import { parseWith } from './request-schema.js';

/** An input item as the client sent it (or as the store replays it). */
export type InputItem = { type?: string; [key: string]: unknown };

const part = z.looseObject({ type: z.string() });
const contentSchema = z.union([z.string(), z.array(part)]);

const messageItem = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: contentSchema,
});

const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});

const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: contentSchema,
});

const textPart = z.looseObject({ type: z.string(), text: z.string() });
const imagePart = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().min(1).nullable().optional(),
  file_id: z.string().nullable().optional(),
  detail: z.enum(['auto', 'low', 'high', 'original']).nullable().optional(),
});
const filePart = z.looseObject({
  type: z.literal('input_file'),
  file_data: z.string().optional(),
  file_id: z.string().nullable().optional(),
  file_url: z.string().optional(),
  filename: z.string().optional(),
});
const audioPart = z.looseObject({
  type: z.literal('input_audio'),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

/** Where an item sits, for error messages: in this request's `input`, or in the stored history. */
type ItemPath = ReadonlyArray<PropertyKey>;

/**
 * Translates `items` into Chat messages. The first `historyLength` items come from the stored
 * conversation named by `previous_response_id`; errors in the rest name `input[i]`.
 */
export function inputItemsToMessages(items: readonly InputItem[], historyLength = 0): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const knownCallIds = new Set<string>();
  // Images and files from tool outputs, held until the run of tool messages ends.
  let pendingToolMedia: ContentPart[] = [];
  const flushToolMedia = () => {
    if (pendingToolMedia.length === 0) return;
    messages.push({ role: 'user', content: pendingToolMedia });
    pendingToolMedia = [];
  };

  items.forEach((item, index) => {
    const path: ItemPath = index < historyLength ? ['previous_response_id'] : ['input', index - historyLength];
    const type = item.type ?? 'message';
    switch (type) {
      case 'message': {
        flushToolMedia();
        messages.push(messageToChat(parseWith(messageItem, item, path), path));
        return;
      }
      case 'function_call': {
        flushToolMedia();
        const call = parseWith(functionCallItem, item, path);
        knownCallIds.add(call.call_id);
        const toolCall: ToolCall = { id: call.call_id, type: 'function', function: { name: call.name, arguments: call.arguments } };
        const last = messages[messages.length - 1];
        if (last?.role === 'assistant') (last.tool_calls ??= []).push(toolCall);
        else messages.push({ role: 'assistant', content: null, tool_calls: [toolCall] });
        return;
      }
      case 'function_call_output': {
        const output = parseWith(functionCallOutputItem, item, path);
        if (!knownCallIds.has(output.call_id)) {
          throw new InvalidRequestError(
            `No tool call found for function call output with call_id '${output.call_id}'. Send the function_call item before its output, or continue the response that made the call with previous_response_id.`,
            formatPath([...path, 'call_id']),
            'invalid_value',
          );
        }
        const { text, media } = splitToolOutput(output.output, [...path, 'output']);
        messages.push({ role: 'tool', tool_call_id: output.call_id, content: text });
        pendingToolMedia.push(...media);
        return;
      }
      case 'reasoning':
        return;
      case 'item_reference':
        throw new InvalidRequestError(
          'This item reference was not resolved: only items of responses stored with store: true can be referenced. Send the item itself instead.',
          formatPath([...path, 'type']),
          'unsupported_input_item',
        );
      default:
        throw new InvalidRequestError(
          `The input item type '${type}' is not supported by this gateway: it belongs to a built-in OpenAI tool, and only function tools are supported on /v1/responses.`,
          formatPath([...path, 'type']),
          'unsupported_input_item',
        );
    }
  });
  flushToolMedia();
  return messages;
}

function messageToChat(item: z.infer<typeof messageItem>, path: ItemPath): ChatMessage {
  const contentPath = [...path, 'content'];
  if (item.role === 'assistant') return assistantToChat(item.content, contentPath);
  if (typeof item.content === 'string') return { role: item.role, content: item.content };
  const parts = item.content.map((contentPart, index) => partToChat(contentPart, [...contentPath, index], item.role));
  return { role: item.role, content: parts };
}

/** An earlier answer: its text parts joined, its refusal kept apart, as Chat writes an assistant turn. */
function assistantToChat(content: z.infer<typeof contentSchema>, path: ItemPath): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  let text = '';
  let refusal: string | undefined;
  content.forEach((contentPart, index) => {
    if (contentPart.type === 'refusal') refusal = (refusal ?? '') + parseWith(refusalPart, contentPart, [...path, index]).refusal;
    else if (contentPart.type === 'output_text' || contentPart.type === 'input_text') text += parseWith(textPart, contentPart, [...path, index]).text;
    else throw unsupportedPart(contentPart.type, [...path, index], 'an assistant message takes output_text and refusal parts');
  });
  const message: ChatMessage = { role: 'assistant', content: text === '' && refusal !== undefined ? null : text };
  if (refusal !== undefined) message.refusal = refusal;
  return message;
}

function partToChat(contentPart: { type: string }, path: ItemPath, role: string): ContentPart {
  const isUser = role === 'user';
  switch (contentPart.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: parseWith(textPart, contentPart, path).text };
    case 'input_image':
      if (!isUser) throw unsupportedPart(contentPart.type, path, `a ${role} message takes text only`);
      return imageToChat(parseWith(imagePart, contentPart, path), path);
    case 'input_file':
      if (!isUser) throw unsupportedPart(contentPart.type, path, `a ${role} message takes text only`);
      return fileToChat(parseWith(filePart, contentPart, path), path);
    case 'input_audio':
      if (!isUser) throw unsupportedPart(contentPart.type, path, `a ${role} message takes text only`);
      return { type: 'input_audio', input_audio: parseWith(audioPart, contentPart, path).input_audio };
    default:
      throw unsupportedPart(contentPart.type, path, 'use input_text, input_image, input_file or input_audio');
  }
}

function imageToChat(image: z.infer<typeof imagePart>, path: ItemPath): ContentPart {
  if (!image.image_url) {
    throw new InvalidRequestError(
      image.file_id
        ? 'Image file ids need OpenAI\'s file storage, which this gateway does not have: send image_url as an https URL or a base64 data URL.'
        : 'An input_image needs image_url (an https URL or a base64 data URL).',
      formatPath([...path, 'image_url']),
      image.file_id ? 'unsupported_value' : 'missing_required_parameter',
    );
  }
  // Chat has no `original` detail; `high` is the closest (full resolution tiles).
  const detail = image.detail === 'original' ? 'high' : image.detail;
  return { type: 'image_url', image_url: { url: image.image_url, ...(detail ? { detail } : {}) } };
}

function fileToChat(file: z.infer<typeof filePart>, path: ItemPath): ContentPart {
  if (file.file_url !== undefined) {
    throw new InvalidRequestError('File URLs are not supported by this gateway: send the file as file_data (a base64 data URL).', formatPath([...path, 'file_url']), 'unsupported_value');
  }
  if (file.file_data === undefined && !file.file_id) {
    throw new InvalidRequestError('An input_file needs file_data (a base64 data URL) or file_id.', formatPath(path), 'missing_required_parameter');
  }
  const chatFile: { file_data?: string; file_id?: string; filename?: string } = {};
  if (file.file_data !== undefined) chatFile.file_data = file.file_data;
  if (file.file_id) chatFile.file_id = file.file_id;
  if (file.filename !== undefined) chatFile.filename = file.filename;
  return { type: 'file', file: chatFile };
}

/** A tool output: its text for the tool message, its images and files for the user message after. */
function splitToolOutput(output: z.infer<typeof contentSchema>, path: ItemPath): { text: string; media: ContentPart[] } {
  if (typeof output === 'string') return { text: output, media: [] };
  let text = '';
  const media: ContentPart[] = [];
  output.forEach((outputPart, index) => {
    const partPath = [...path, index];
    if (outputPart.type === 'input_text' || outputPart.type === 'output_text') text += parseWith(textPart, outputPart, partPath).text;
    else if (outputPart.type === 'input_image') media.push(imageToChat(parseWith(imagePart, outputPart, partPath), partPath));
    else if (outputPart.type === 'input_file') media.push(fileToChat(parseWith(filePart, outputPart, partPath), partPath));
    else throw unsupportedPart(outputPart.type, partPath, 'a function call output takes input_text, input_image and input_file parts');
  });
  return { text, media };
}

function unsupportedPart(type: string, path: ItemPath, hint: string): InvalidRequestError {
  return new InvalidRequestError(`The content part type '${type}' is not supported here: ${hint}.`, formatPath([...path, 'type']), 'invalid_value');
}
