/**
 * The `guard input` stage: PII checks on the request before it goes anywhere (docs/guardrails.md).
 *
 *   mask   the request goes on with numbered placeholders (`<EMAIL_1>`) in message text, content
 *          parts, tool-call arguments and tool results (and in the native body a pass-through
 *          sends); the answer comes back with the values restored, whole or streamed
 *   block  400 `pii_detected`, naming the entity types found
 *   log    the request goes on unchanged; what was found is counted
 *
 * The map between values and placeholders (`PiiMasker`) lives in this function's scope for one
 * request: it is never logged, cached or sent. The logged request and response bodies are
 * masked with it, so the log keeps placeholders. `x-switchboard-guardrails: pii_masked=3` and
 * the record's `guardrails` column say what happened, without values.
 *
 * The stage is present whenever PII settings can apply: a key's own setting (admin API) may turn
 * masking on for that key whatever the config says, so with no `guardrails.pii` anywhere in the
 * config the stage is a map lookup and a property read per request.
 */
import { PiiDetectedError } from '../errors/index.js';
import type { ChatCompletionChunk } from '../protocol/chat-types.js';
import { transformStream } from '../execution/chat-executor.js';
import type { ChatExchange } from '../pipeline/chat-exchange.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import type { Logger } from '../logging/logger.js';
import type { ChatStage, PipelineServices } from '../pipeline/pipelines.js';
import { nativeMessageOf, rememberNativeMessage } from '../protocol/native-body.js';
import type { ServerSentEvent } from '../providers/shared/sse-parser.js';
import { noteGuardrail } from './guardrail-verdicts.js';
import { rewriteMaybeJson } from './pii/chat-request-text.js';
import { unmaskChunks } from './pii/chunk-unmasker.js';
import type { PiiGuard } from './pii/pii-guard.js';
import type { PiiMasker, UnmaskMode } from './pii/pii-masker.js';
import { PiiPolicy } from './pii/pii-policy.js';
import { unmaskAnthropicEvents, unmaskAnthropicMessage } from './pii/unmask-anthropic.js';
import { unmaskCompletion } from './pii/unmask-completion.js';

export function guardInputStage(services: PipelineServices): ChatStage {
  const policy = new PiiPolicy(services.config, { detectors: services.piiDetectors });
  const { logger } = services;
  return {
    name: 'guard input',
    // Not async: with no PII setting for this request the stage adds no promise of its own.
    run(exchange, next) {
      const { scope } = exchange;
      const guard = policy.guardFor(scope.record.requested_model ?? exchange.request.model, exchange.request.model, scope.principal);
      if (!guard) return next();
      return guarded(exchange, next, guard, logger);
    },
  };
}

async function guarded(exchange: ChatExchange, next: () => Promise<ChatOutcome>, guard: PiiGuard, logger: Logger): Promise<ChatOutcome> {
  const { scope } = exchange;
  let inspection;
  try {
    inspection = guard.inspect(exchange.request);
  } catch (error) {
    // A refusal is on the record too (and in the guardrail metrics), not only as an error code.
    noteGuardrail(scope.record, error instanceof PiiDetectedError ? 'pii=blocked' : 'pii=check_failed');
    throw error;
  }
  if (inspection.failure !== undefined) logger.warn({ err: inspection.failure, requestId: scope.id }, 'PII check failed; request forwarded unchecked (on_error: pass)');
  if (inspection.header) {
    scope.headers['x-switchboard-guardrails'] = inspection.header;
    noteGuardrail(scope.record, inspection.header);
  }
  const { masker, unmasker } = inspection;
  if (!masker) return next();
  exchange.request = inspection.request;
  keepLoggedBodiesMasked(scope.record, masker, scope);
  const outcome = await next();
  if (!unmasker) return outcome;
  const format = exchange.request.response_format?.type;
  return unmaskOutcome(outcome, unmasker, format === 'json_object' || format === 'json_schema' ? 'json-string' : 'text');
}

/** The logged request body now, the logged response body once the surface has set it (before the log step). */
function keepLoggedBodiesMasked(record: { request_body: string | null; response_body: string | null }, masker: PiiMasker, scope: { onFinish(hook: () => void): void }): void {
  const mask = (text: string) => rewriteMaybeJson(text, '', (value) => masker.maskKnownValues(value));
  if (record.request_body !== null) record.request_body = mask(record.request_body);
  scope.onFinish(() => {
    if (record.response_body !== null) record.response_body = mask(record.response_body);
  });
}

function unmaskOutcome(outcome: ChatOutcome, masker: PiiMasker, contentMode: UnmaskMode): ChatOutcome {
  if (outcome.kind === 'completed') {
    const { completion } = outcome.call;
    const unmasked = unmaskCompletion(completion, masker, { contentMode });
    const native = nativeMessageOf(completion);
    // The surface sends the native message when there is one: it must be unmasked too, and stay linked.
    if (native) rememberNativeMessage(unmasked, unmaskAnthropicMessage(native, masker));
    return unmasked === completion && !native ? outcome : { ...outcome, call: { ...outcome.call, completion: unmasked } };
  }
  const stream = transformStream(
    outcome.stream,
    (chunks: AsyncIterable<ChatCompletionChunk>) => unmaskChunks(chunks, masker, { contentMode }),
    (events: AsyncIterable<ServerSentEvent>) => unmaskAnthropicEvents(events, masker),
  );
  return { ...outcome, stream };
}
