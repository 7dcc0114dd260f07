/**
 * OpenAI `/v1/embeddings` ↔ Gemini `batchEmbedContents`: one request entry per input string,
 * one `values` array per entry back. Gemini reports no token usage for embeddings, so the
 * prompt tokens are counted with the gateway's tokenizer (an estimate for Gemini's own).
 */
import { InvalidRequestError, UpstreamMalformedResponseError } from '../../errors/index.js';
import { countTokens } from '../../cost/token-counter.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../protocol/chat-types.js';
import type { GeminiBatchEmbedResponse } from './gemini-types.js';

export interface GeminiBatchEmbedRequest {
  requests: Array<{ model: string; content: { parts: Array<{ text: string }> }; outputDimensionality?: number }>;
}

export function embeddingInputs(request: EmbeddingsRequest): string[] {
  const input = request.input;
  if (typeof input === 'string') return [input];
  if (input.every((item): item is string => typeof item === 'string')) return input;
  throw new InvalidRequestError('Gemini embeddings take text; token-id arrays are not supported.', 'input', 'unsupported_value');
}

export function buildBatchEmbedRequest(request: EmbeddingsRequest, model: string): GeminiBatchEmbedRequest {
  return {
    requests: embeddingInputs(request).map((text) => ({
      model: `models/${model}`,
      content: { parts: [{ text }] },
      ...(request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {}),
    })),
  };
}

export function mapBatchEmbedResponse(response: GeminiBatchEmbedResponse, request: EmbeddingsRequest, model: string, provider: string): EmbeddingsResponse {
  const inputs = embeddingInputs(request);
  const embeddings = response.embeddings ?? [];
  if (embeddings.length !== inputs.length) {
    throw new UpstreamMalformedResponseError(provider, `expected ${inputs.length} embeddings, got ${embeddings.length}`);
  }
  const promptTokens = inputs.reduce((total, text) => total + countTokens(text), 0);
  return {
    object: 'list',
    data: embeddings.map((embedding, index) => ({
      object: 'embedding',
      index,
      embedding: request.encoding_format === 'base64' ? toBase64(embedding.values) : embedding.values,
    })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

/** OpenAI's base64 encoding: little-endian float32s, which is what Float32Array holds on every platform Node runs on. */
function toBase64(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}
