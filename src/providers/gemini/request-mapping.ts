/**
 * An OpenAI chat request → the body of Gemini's `generateContent` / `streamGenerateContent`.
 *
 * JSON mode: `json_object` sets `responseMimeType: application/json`; `json_schema` adds the
 * schema as `responseJsonSchema`, the field that accepts JSON Schema unchanged (the older
 * `responseSchema` takes an OpenAPI subset and rejects `additionalProperties`, which OpenAI's
 * strict schemas always carry).
 */
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { GeminiGenerationConfig, GeminiRequest } from './gemini-types.js';
import { mapMessages } from './message-mapping.js';
import { mapToolFields } from './tool-mapping.js';

export function buildGeminiRequest(request: ChatCompletionRequest): GeminiRequest {
  const { systemParts, contents } = mapMessages(request.messages);
  const body: GeminiRequest = { contents };
  if (systemParts.length > 0) body.systemInstruction = { parts: systemParts };
  const generationConfig = mapGenerationConfig(request);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  Object.assign(body, mapToolFields(request));
  return body;
}

function mapGenerationConfig(request: ChatCompletionRequest): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (isSet(request.temperature)) config.temperature = request.temperature;
  if (isSet(request.top_p)) config.topP = request.top_p;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (isSet(maxTokens)) config.maxOutputTokens = maxTokens;
  const stop = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (stop && stop.length > 0) config.stopSequences = stop;
  if (isSet(request.seed)) config.seed = request.seed;
  if (isSet(request.n) && request.n > 1) config.candidateCount = request.n;
  if (isSet(request.presence_penalty)) config.presencePenalty = request.presence_penalty;
  if (isSet(request.frequency_penalty)) config.frequencyPenalty = request.frequency_penalty;
  const format = request.response_format;
  if (format?.type === 'json_object' || format?.type === 'json_schema') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema' && format.json_schema.schema) config.responseJsonSchema = format.json_schema.schema;
  return config;
}

function isSet<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}
