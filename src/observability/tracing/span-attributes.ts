/**
 * Span attributes from a finished request record: the OpenTelemetry GenAI semantic conventions
 * (`gen_ai.*`), HTTP's, and the gateway's own under `switchboard.*`. docs/observability.md
 * lists them all.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { RequestRecord } from '../../storage/request-record.js';
import { genAiOperationName, genAiProviderName } from '../metrics/bounded-labels.js';

/** What the trace stage saw of the answer (the record has no response id or finish reasons). */
export interface ResponseFacts {
  id?: string;
  model?: string;
  finishReasons: string[];
  /** The answer's text, kept only with `capture_content`. */
  output?: string;
}

export function requestAttributes(request: ChatCompletionRequest, captureContent: boolean): Attributes {
  const attributes: Attributes = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === 'number') attributes['gen_ai.request.max_tokens'] = maxTokens;
  if (typeof request.temperature === 'number') attributes['gen_ai.request.temperature'] = request.temperature;
  if (typeof request.top_p === 'number') attributes['gen_ai.request.top_p'] = request.top_p;
  if (captureContent) attributes['gen_ai.input.messages'] = JSON.stringify(request.messages);
  return attributes;
}

export function recordAttributes(record: RequestRecord): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': genAiOperationName(record.surface, record.endpoint),
    'http.response.status_code': record.status,
    'switchboard.request_id': record.id,
    'switchboard.attempts': record.attempts.length,
    'switchboard.cost_usd': record.cost_usd,
  };
  const set = (name: string, value: string | number | boolean | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') attributes[name] = value;
  };
  set('gen_ai.provider.name', genAiProviderName(record.provider));
  set('gen_ai.request.model', record.requested_model);
  set('gen_ai.response.model', record.served_model);
  if (record.status < 400 || record.prompt_tokens > 0) {
    attributes['gen_ai.usage.input_tokens'] = record.prompt_tokens;
    attributes['gen_ai.usage.output_tokens'] = record.completion_tokens;
    attributes['gen_ai.usage.cache_read.input_tokens'] = record.cached_tokens;
  }
  if (record.status >= 400) set('error.type', record.error_code ?? String(record.status));
  set('switchboard.surface', record.surface);
  set('switchboard.deployment', record.deployment);
  set('switchboard.route', record.route);
  set('switchboard.route.strategy', record.route_strategy);
  set('switchboard.route.decision', record.route_decision);
  set('switchboard.router.score', record.router_score);
  set('switchboard.baseline_cost_usd', record.baseline_cost_usd);
  set('switchboard.cache.status', record.cache_status);
  set('switchboard.cache.saved_usd', record.cache_saved_usd);
  set('switchboard.context.saved_usd', record.context_saved_usd);
  set('switchboard.guardrails', record.guardrails);
  set('switchboard.degradation', record.degradation);
  set('switchboard.key_team', record.team);
  if (record.ttft_ms !== null) attributes['switchboard.time_to_first_token_ms'] = record.ttft_ms;
  if (record.streamed) attributes['switchboard.streamed'] = true;
  return attributes;
}

export function responseAttributes(facts: ResponseFacts): Attributes {
  const attributes: Attributes = { 'gen_ai.response.finish_reasons': facts.finishReasons };
  if (facts.id) attributes['gen_ai.response.id'] = facts.id;
  // The upstream's own name for the model (gpt-4o-mini-2024-07-18), more precise than the config's.
  if (facts.model) attributes['gen_ai.response.model'] = facts.model;
  if (facts.output !== undefined) attributes['gen_ai.output.messages'] = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: facts.output }] }]);
  return attributes;
}
