/**
 * A Gemini `GenerateContentResponse` → an OpenAI chat completion. Each candidate is a choice;
 * text parts are joined into `content` (thought summaries left out), `functionCall` parts
 * become `tool_calls` with generated ids, since Gemini does not give its calls ids. A prompt
 * blocked before generation (`promptFeedback.blockReason`, no candidates) is one empty choice
 * with `finish_reason: content_filter`, as OpenAI reports a filtered answer.
 */
import type { ChatCompletion, ChatCompletionChoice, ToolCall } from '../../protocol/chat-types.js';
import { mapFinishReason } from './finish-reason.js';
import type { GeminiCandidate, GeminiResponse } from './gemini-types.js';
import { signatureFields } from './thought-signature.js';
import { mapUsage } from './usage-mapping.js';

export interface ResponseMappingContext {
  /** Unix seconds for `created`; Gemini does not send one. */
  created: number;
  /** The deployment's model, for when the response lacks `modelVersion`. */
  model: string;
  /** A fresh tool-call id, such as `call_3f9a…`. */
  createId: () => string;
}

export function mapGeminiResponse(response: GeminiResponse, context: ResponseMappingContext): ChatCompletion {
  const candidates = response.candidates ?? [];
  const choices = candidates.length > 0
    ? candidates.map((candidate, position) => mapCandidate(candidate, position, context))
    : [blockedChoice()];
  return {
    id: response.responseId ?? `chatcmpl-${context.createId()}`,
    object: 'chat.completion',
    created: context.created,
    model: response.modelVersion ?? context.model,
    choices,
    usage: mapUsage(response.usageMetadata ?? {}),
  };
}

export interface CandidateOutput {
  text: string;
  toolCalls: ToolCall[];
}

/** The visible text and function calls of one candidate's parts. */
export function candidateOutput(candidate: GeminiCandidate, createId: () => string): CandidateOutput {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const part of candidate.content?.parts ?? []) {
    if (typeof part.text === 'string' && part.thought !== true) text += part.text;
    const call = part.functionCall as { name?: string; args?: unknown; id?: string } | undefined;
    if (call) {
      toolCalls.push({
        id: call.id ?? createId(),
        type: 'function',
        function: { name: String(call.name), arguments: JSON.stringify(call.args ?? {}) },
        ...signatureFields(part.thoughtSignature),
      });
    }
  }
  return { text, toolCalls };
}

function mapCandidate(candidate: GeminiCandidate, position: number, context: ResponseMappingContext): ChatCompletionChoice {
  const { text, toolCalls } = candidateOutput(candidate, context.createId);
  return {
    index: candidate.index ?? position,
    message: {
      role: 'assistant',
      content: text === '' && toolCalls.length > 0 ? null : text,
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    },
    finish_reason: mapFinishReason(candidate.finishReason, toolCalls.length > 0),
    logprobs: null,
  };
}

function blockedChoice(): ChatCompletionChoice {
  return { index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter', logprobs: null };
}
