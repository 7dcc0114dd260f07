/**
 * The shape of `messages` in a chat request, checked strictly enough that what no provider
 * accepts is a 400 naming the param (`messages[1].content[0].image_url.url`) instead of
 * reaching an upstream, where a lenient one answers 200 to nonsense and a strict one answers an
 * error in its own words. Fields the gateway does not know pass through untouched.
 *
 * Written by hand rather than as a zod union because it runs on every request: it reads the
 * parsed body in place, allocates nothing on success, and costs tens of nanoseconds per
 * message (`npm run bench:micro`, "validate").
 *
 * What each role may carry (OpenAI's Chat Completions reference):
 * - system, developer: content (string or text parts), required;
 * - user: content (string or text, image_url, input_audio and file parts), required;
 * - assistant: content (string, text and refusal parts, or null), tool_calls;
 * - tool: content (string or text parts), required, and tool_call_id;
 * - function (deprecated): name, and content (string or null).
 */
import { InvalidRequestError } from '../errors/index.js';

type Json = Record<string, unknown>;

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];
const USER_PARTS = ['text', 'image_url', 'input_audio', 'file'];
const ASSISTANT_PARTS = ['text', 'refusal'];
const TEXT_PARTS = ['text'];
const IMAGE_DETAILS = ['auto', 'low', 'high'];
const AUDIO_FORMATS = ['wav', 'mp3'];

/** Throws an `InvalidRequestError` naming the first invalid param of `messages`. */
export function validateChatMessages(messages: unknown): void {
  if (!Array.isArray(messages)) throw invalid('messages', messages === undefined ? undefined : 'expected an array of messages');
  if (messages.length === 0) throw invalid('messages', 'expected at least one message');
  for (let index = 0; index < messages.length; index++) validateMessage(messages[index], index);
}

function validateMessage(message: unknown, index: number): void {
  const param = `messages[${index}]`;
  if (!isObject(message)) throw invalid(param, 'expected a message object with a role');
  const role = message.role;
  if (typeof role !== 'string' || !ROLES.includes(role)) throw invalid(`${param}.role`, role === undefined ? undefined : `expected one of ${ROLES.join(', ')}`);
  if (message.name !== undefined && typeof message.name !== 'string') throw invalid(`${param}.name`, 'expected a string');
  switch (role) {
    case 'user':
      return validateContent(message.content, param, role, USER_PARTS, true);
    case 'assistant':
      validateContent(message.content, param, role, ASSISTANT_PARTS, false);
      if (message.tool_calls !== undefined) validateToolCalls(message.tool_calls, `${param}.tool_calls`);
      return;
    case 'tool':
      validateContent(message.content, param, role, TEXT_PARTS, true);
      if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') {
        throw invalid(`${param}.tool_call_id`, message.tool_call_id === undefined ? undefined : 'expected the id of the tool call this message answers');
      }
      return;
    case 'function':
      if (typeof message.name !== 'string') throw invalid(`${param}.name`, undefined);
      if (message.content !== null && typeof message.content !== 'string') throw invalid(`${param}.content`, 'expected a string or null');
      return;
    default:
      return validateContent(message.content, param, role, TEXT_PARTS, true);
  }
}

function validateContent(content: unknown, param: string, role: string, allowedParts: readonly string[], required: boolean): void {
  if (typeof content === 'string') return;
  if (content === undefined || content === null) {
    if (required) throw invalid(`${param}.content`, content === undefined ? undefined : `a ${role} message needs content: a string or an array of content parts`);
    return;
  }
  if (!Array.isArray(content)) throw invalid(`${param}.content`, 'expected a string or an array of content parts');
  if (content.length === 0) throw invalid(`${param}.content`, 'expected at least one content part (or a string)');
  for (let index = 0; index < content.length; index++) validatePart(content[index], `${param}.content[${index}]`, role, allowedParts);
}

function validatePart(part: unknown, param: string, role: string, allowedParts: readonly string[]): void {
  if (!isObject(part)) throw invalid(param, 'expected a content part object such as {"type": "text", "text": "…"}');
  const type = part.type;
  if (typeof type !== 'string') throw invalid(`${param}.type`, type === undefined ? undefined : 'expected a string');
  if (!allowedParts.includes(type)) {
    const known = USER_PARTS.includes(type) || ASSISTANT_PARTS.includes(type);
    throw invalid(`${param}.type`, known ? `a ${role} message cannot carry '${type}' parts; it takes ${allowedParts.join(', ')}` : `'${type}' is not a content part type; use one of ${allowedParts.join(', ')}`);
  }
  switch (type) {
    case 'text':
      if (typeof part.text !== 'string') throw invalid(`${param}.text`, part.text === undefined ? undefined : 'expected a string');
      return;
    case 'refusal':
      if (typeof part.refusal !== 'string') throw invalid(`${param}.refusal`, part.refusal === undefined ? undefined : 'expected a string');
      return;
    case 'image_url':
      return validateImage(part.image_url, `${param}.image_url`);
    case 'input_audio':
      return validateAudio(part.input_audio, `${param}.input_audio`);
    default:
      return validateFile(part.file, `${param}.file`);
  }
}

function validateImage(image: unknown, param: string): void {
  if (!isObject(image)) {
    throw invalid(param, image === undefined ? undefined : `expected an object {"url": "https://… or data:image/…;base64,…"}${typeof image === 'string' ? ', not a bare string' : ''}`);
  }
  if (typeof image.url !== 'string' || image.url === '') throw invalid(`${param}.url`, image.url === undefined ? undefined : 'expected a non-empty URL string');
  if (image.detail !== undefined && (typeof image.detail !== 'string' || !IMAGE_DETAILS.includes(image.detail))) throw invalid(`${param}.detail`, `expected one of ${IMAGE_DETAILS.join(', ')}`);
}

function validateAudio(audio: unknown, param: string): void {
  if (!isObject(audio)) throw invalid(param, audio === undefined ? undefined : 'expected an object {"data": "<base64>", "format": "wav"}');
  if (typeof audio.data !== 'string' || audio.data === '') throw invalid(`${param}.data`, audio.data === undefined ? undefined : 'expected base64 audio as a string');
  if (typeof audio.format !== 'string' || !AUDIO_FORMATS.includes(audio.format)) throw invalid(`${param}.format`, audio.format === undefined ? undefined : `expected one of ${AUDIO_FORMATS.join(', ')}`);
}

function validateFile(file: unknown, param: string): void {
  if (!isObject(file)) throw invalid(param, file === undefined ? undefined : 'expected an object with file_data or file_id');
  const hasData = typeof file.file_data === 'string' && file.file_data !== '';
  const hasId = typeof file.file_id === 'string' && file.file_id !== '';
  if (!hasData && !hasId) throw invalid(param, 'expected file_data (a base64 data URL) or file_id');
  if (file.filename !== undefined && typeof file.filename !== 'string') throw invalid(`${param}.filename`, 'expected a string');
}

function validateToolCalls(toolCalls: unknown, param: string): void {
  if (!Array.isArray(toolCalls)) throw invalid(param, 'expected an array of tool calls');
  for (let index = 0; index < toolCalls.length; index++) {
    const call = toolCalls[index];
    const callParam = `${param}[${index}]`;
    if (!isObject(call)) throw invalid(callParam, 'expected a tool call object');
    if (typeof call.id !== 'string' || call.id === '') throw invalid(`${callParam}.id`, call.id === undefined ? undefined : 'expected a non-empty string');
    if (call.type !== 'function') throw invalid(`${callParam}.type`, call.type === undefined ? undefined : "expected 'function'");
    const fn = call.function;
    if (!isObject(fn)) throw invalid(`${callParam}.function`, fn === undefined ? undefined : 'expected an object {"name", "arguments"}');
    if (typeof fn.name !== 'string' || fn.name === '') throw invalid(`${callParam}.function.name`, fn.name === undefined ? undefined : 'expected a non-empty string');
    if (typeof fn.arguments !== 'string') throw invalid(`${callParam}.function.arguments`, fn.arguments === undefined ? undefined : 'expected the arguments as a JSON string');
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `reason` undefined means the param is missing, which OpenAI reports with its own code. */
function invalid(param: string, reason: string | undefined): InvalidRequestError {
  if (reason === undefined) return new InvalidRequestError(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  return new InvalidRequestError(`Invalid value for '${param}': ${reason}.`, param, 'invalid_value');
}
