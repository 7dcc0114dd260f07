/**
 * Puts the original values back into a whole (non-streamed) chat completion: message content,
 * refusal, and tool-call arguments (as JSON string content). Returns a new completion when
 * anything changed and the same object otherwise. It never edits the completion in place: the
 * gateway may hold its source text to write it back unchanged (protocol/raw-json.ts), and an
 * in-place edit would send the masked text.
 */
import type { ChatCompletion, ChatCompletionChoice } from '../../protocol/chat-types.js';
import type { PiiMasker, UnmaskMode } from './pii-masker.js';

export interface UnmaskOptions {
  /**
   * How values go back into message content: `text` (default), or `json-string` when the
   * content is JSON (a `json_object`/`json_schema` response format), so a value with quotes or
   * newlines keeps the JSON valid.
   */
  contentMode?: UnmaskMode;
}

export function unmaskCompletion(completion: ChatCompletion, masker: PiiMasker, options: UnmaskOptions = {}): ChatCompletion {
  if (masker.size === 0) return completion;
  let choices: ChatCompletionChoice[] | undefined;
  completion.choices.forEach((choice, index) => {
    const next = unmaskChoice(choice, masker, options.contentMode ?? 'text');
    if (next !== choice) (choices ??= [...completion.choices])[index] = next;
  });
  return choices ? { ...completion, choices } : completion;
}

function unmaskChoice(choice: ChatCompletionChoice, masker: PiiMasker, contentMode: UnmaskMode): ChatCompletionChoice {
  const { message } = choice;
  const content = typeof message.content === 'string' ? masker.unmask(message.content, contentMode) : message.content;
  const refusal = typeof message.refusal === 'string' ? masker.unmask(message.refusal) : message.refusal;
  const toolCalls = message.tool_calls?.map((toolCall) => {
    const argumentsText = masker.unmask(toolCall.function.arguments, 'json-string');
    return argumentsText === toolCall.function.arguments ? toolCall : { ...toolCall, function: { ...toolCall.function, arguments: argumentsText } };
  });
  const toolCallsChanged = toolCalls !== undefined && toolCalls.some((toolCall, index) => toolCall !== message.tool_calls![index]);
  if (content === message.content && refusal === message.refusal && !toolCallsChanged) return choice;
  return {
    ...choice,
    message: { ...message, content, ...(refusal !== undefined ? { refusal } : {}), ...(toolCallsChanged ? { tool_calls: toolCalls } : {}) },
  };
}
