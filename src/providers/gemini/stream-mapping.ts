/**
 * Gemini stream events → OpenAI chunks. With `alt=sse` each event is a whole
 * `GenerateContentResponse` holding the next piece: text parts become `content` deltas, and a
 * `functionCall` part (Gemini sends each call whole, never in fragments) becomes one tool-call
 * delta carrying `index`, `id`, `function.name` and the complete `arguments`.
 *
 * Gemini has no terminal event: the last response carries `finishReason` and the final
 * `usageMetadata` (earlier ones hold running totals). A stream that ends without any finish
 * reason was cut off, and `finish()` says so.
 */
import { UpstreamMalformedResponseError } from '../../errors/index.js';
import type { ChatCompletionChunk, ChatCompletionChunkChoice } from '../../protocol/chat-types.js';
import { mapGeminiStreamError } from './error-mapping.js';
import { mapFinishReason } from './finish-reason.js';
import type { GeminiResponse, GeminiUsageMetadata } from './gemini-types.js';
import { candidateOutput } from './response-mapping.js';
import { mapUsage } from './usage-mapping.js';

export interface StreamMappingContext {
  provider: string;
  created: number;
  model: string;
  createId: () => string;
}

export class GeminiStreamMapper {
  private base: Pick<ChatCompletionChunk, 'id' | 'object' | 'created' | 'model'> | undefined;
  private usage: GeminiUsageMetadata = {};
  private finished = false;
  /** Tool calls sent so far per choice, for the next call's `index` and the finish reason. */
  private readonly toolCallCounts = new Map<number, number>();
  /** Choices that have had their opening `role` chunk (several when `n` > 1). */
  private readonly startedChoices = new Set<number>();

  constructor(private readonly context: StreamMappingContext) {}

  map(event: unknown): ChatCompletionChunk[] {
    const error = mapGeminiStreamError(event, this.context.provider);
    if (error) throw error;
    const response = event as GeminiResponse;
    const chunks: ChatCompletionChunk[] = [];
    if (!this.base) {
      this.base = {
        id: response.responseId ?? `chatcmpl-${this.context.createId()}`,
        object: 'chat.completion.chunk',
        created: this.context.created,
        model: response.modelVersion ?? this.context.model,
      };
      chunks.push(this.startChoice(0));
    }
    if (response.usageMetadata) this.usage = response.usageMetadata;
    const candidates = response.candidates ?? [];
    if (candidates.length === 0 && response.promptFeedback?.blockReason) {
      this.finished = true;
      chunks.push(this.chunk(0, {}, 'content_filter'));
    }
    candidates.forEach((candidate, position) => {
      const index = candidate.index ?? position;
      if (!this.startedChoices.has(index)) chunks.push(this.startChoice(index));
      const { text, toolCalls } = candidateOutput(candidate, this.context.createId);
      if (text !== '') chunks.push(this.chunk(index, { content: text }));
      for (const call of toolCalls) {
        const toolCallIndex = this.toolCallCounts.get(index) ?? 0;
        this.toolCallCounts.set(index, toolCallIndex + 1);
        chunks.push(this.chunk(index, { tool_calls: [{ index: toolCallIndex, ...call }] }));
      }
      if (candidate.finishReason) {
        this.finished = true;
        chunks.push(this.chunk(index, {}, mapFinishReason(candidate.finishReason, (this.toolCallCounts.get(index) ?? 0) > 0)));
      }
    });
    return chunks;
  }

  /** The closing usage chunk (`choices: []`), once the upstream stream has ended. */
  finish(): ChatCompletionChunk {
    if (!this.base || !this.finished) {
      throw new UpstreamMalformedResponseError(this.context.provider, 'the stream ended without a finish reason');
    }
    return { ...this.base, choices: [], usage: mapUsage(this.usage) };
  }

  private startChoice(index: number): ChatCompletionChunk {
    this.startedChoices.add(index);
    return this.chunk(index, { role: 'assistant', content: '' });
  }

  private chunk(index: number, delta: ChatCompletionChunkChoice['delta'], finishReason: ChatCompletionChunkChoice['finish_reason'] = null): ChatCompletionChunk {
    return { ...this.base!, choices: [{ index, delta, finish_reason: finishReason }] };
  }
}
