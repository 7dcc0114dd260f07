/**
 * Builders for OpenAI wire-format replies, shaped like recorded real responses
 * (see providers/openai/__fixtures__).
 */
import type { FakeReply } from './fake-upstream.js';

export interface CompletionOptions {
  content?: string | null;
  model?: string;
  finishReason?: string;
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
  reasoningTokens?: number;
  toolCalls?: Array<{ id: string; name: string; arguments: string }>;
  usage?: boolean;
}

export function openAICompletion(options: CompletionOptions = {}): FakeReply {
  const promptTokens = options.promptTokens ?? 12;
  const completionTokens = options.completionTokens ?? 9;
  return {
    json: {
      id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
      object: 'chat.completion',
      created: 1741570283,
      model: options.model ?? 'gpt-4o-mini-2024-07-18',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: options.content === undefined ? 'Hello! How can I help you today?' : options.content,
            refusal: null,
            annotations: [],
            ...(options.toolCalls
              ? { tool_calls: options.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) }
              : {}),
          },
          logprobs: null,
          finish_reason: options.finishReason ?? (options.toolCalls ? 'tool_calls' : 'stop'),
        },
      ],
      ...(options.usage === false
        ? {}
        : {
            usage: {
              prompt_tokens: promptTokens,
              completion_tokens: completionTokens,
              total_tokens: promptTokens + completionTokens,
              prompt_tokens_details: { cached_tokens: options.cachedTokens ?? 0, audio_tokens: 0 },
              completion_tokens_details: { reasoning_tokens: options.reasoningTokens ?? 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
            },
          }),
      service_tier: 'default',
      system_fingerprint: 'fp_06737a9306',
    },
  };
}

/** A streamed completion split into `parts`, ending with a usage chunk and `[DONE]`. */
export function openAIStream(parts: string[], options: CompletionOptions & { gapMs?: number; resetAfter?: number } = {}): FakeReply {
  const base = { id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG', object: 'chat.completion.chunk', created: 1741570283, model: options.model ?? 'gpt-4o-mini-2024-07-18', service_tier: 'default', system_fingerprint: 'fp_06737a9306' };
  const frames = [
    JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], usage: null }),
    ...parts.map((part) => JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: part }, logprobs: null, finish_reason: null }], usage: null })),
    JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: options.finishReason ?? 'stop' }], usage: null }),
  ];
  if (options.usage !== false) {
    const promptTokens = options.promptTokens ?? 12;
    const completionTokens = options.completionTokens ?? parts.length;
    frames.push(JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens, prompt_tokens_details: { cached_tokens: options.cachedTokens ?? 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } } }));
  }
  frames.push('[DONE]');
  return { sse: frames, gapMs: options.gapMs, resetAfter: options.resetAfter };
}

export function openAIError(status: number, message: string, type: string, code: string | null, headers: Record<string, string> = {}): FakeReply {
  return { status, json: { error: { message, type, param: null, code } }, headers };
}
