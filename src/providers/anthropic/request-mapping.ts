/**
 * An OpenAI chat request → the body of Anthropic's `POST /v1/messages`.
 *
 * Sampling: Anthropic's temperature range is 0..1 where OpenAI's is 0..2. Values above 1 are
 * clamped to 1 rather than rejected (Anthropic would answer 400) or rescaled (halving would
 * silently change the common 0.7 into 0.35): a client asking for "more random than 1" gets
 * Anthropic's most random setting.
 */
import { InvalidRequestError } from '../../errors/index.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { AnthropicRequest } from './anthropic-types.js';
import { mapMessages } from './message-mapping.js';
import { defaultMaxTokens } from './output-limits.js';
import { mapToolFields } from './tool-mapping.js';

const ANTHROPIC_MAX_TEMPERATURE = 1;

export function buildAnthropicRequest(request: ChatCompletionRequest, model: string, stream: boolean): AnthropicRequest {
  if (request.n !== undefined && request.n !== null && request.n > 1) {
    throw new InvalidRequestError('Anthropic models return one choice per request; n must be 1.', 'n', 'unsupported_value');
  }
  const { system, messages } = mapMessages(request.messages);
  const body: AnthropicRequest = {
    model,
    messages,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? defaultMaxTokens(model),
  };
  if (system.length > 0) body.system = system;
  if (request.temperature !== undefined && request.temperature !== null) body.temperature = Math.min(request.temperature, ANTHROPIC_MAX_TEMPERATURE);
  if (request.top_p !== undefined && request.top_p !== null) body.top_p = request.top_p;
  const stop = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (stop && stop.length > 0) body.stop_sequences = stop;
  if (request.user) body.metadata = { user_id: request.user };
  Object.assign(body, mapToolFields(request));
  if (stream) body.stream = true;
  return body;
}
