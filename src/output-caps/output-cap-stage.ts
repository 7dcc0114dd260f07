/**
 * Output caps: `max_output_tokens` on a route, a model or a key clamps a request's `max_tokens`
 * and `max_completion_tokens`, or sets `max_tokens` where the request has neither. The lowest
 * cap that applies wins. A clamp is never silent: `x-switchboard-max-tokens: 4096 (requested
 * 32000)`. The stage runs before admission, so the budget reservation is made for the capped
 * request, not the one asked for.
 *
 * A `/v1/messages` request keeps its native body (clamped too), so it still passes through to
 * an Anthropic deployment untranslated.
 */
import type { ChatExchange } from '../pipeline/chat-exchange.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import type { LeverTable } from '../pipeline/lever-settings.js';
import type { Stage } from '../pipeline/stage.js';
import { attachNativeBody, nativeBodyOf } from '../protocol/native-body.js';
import type { ChatCompletionRequest } from '../protocol/chat-types.js';

export function outputCapStage(levers: LeverTable): Stage<ChatExchange, ChatOutcome> {
  return {
    name: 'output cap',
    run(exchange, next) {
      let cap: number | undefined;
      for (const source of levers.sources(exchange.request.model, exchange.scope.principal)) {
        const value = source.max_output_tokens;
        if (value !== undefined && (cap === undefined || value < cap)) cap = value;
      }
      if (cap !== undefined) {
        const clamped = clampOutput(exchange.request, cap);
        if (clamped) {
          exchange.request = clamped.request;
          exchange.scope.headers['x-switchboard-max-tokens'] = `${cap} (requested ${clamped.requested ?? 'none'})`;
        }
      }
      return next();
    },
  };
}

/** The request with its output clamped to `cap`, or undefined when it already asks for no more. */
export function clampOutput(request: ChatCompletionRequest, cap: number): { request: ChatCompletionRequest; requested: number | undefined } | undefined {
  const requested = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  if (requested !== undefined && requested <= cap) return undefined;
  const copy: ChatCompletionRequest = { ...request };
  if (request.max_completion_tokens != null) copy.max_completion_tokens = cap;
  if (request.max_tokens != null || request.max_completion_tokens == null) copy.max_tokens = cap;
  const native = nativeBodyOf(request);
  if (native) attachNativeBody(copy, { ...native, body: { ...native.body, max_tokens: cap } });
  return { request: copy, requested };
}
