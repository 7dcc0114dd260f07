/**
 * The trace stage, present only with telemetry on (its factory returns nothing otherwise): it
 * puts what the request asked for on the request's server span, and what the answer says of
 * itself (id, upstream model name, finish reasons; the text with `capture_content`), which the
 * request record does not keep.
 *
 * A stream relayed byte for byte (OpenAI-format upstreams) or passed through natively is left
 * as it is, so tracing never takes the zero-copy relay away: such a span has no response id or
 * finish reasons. Streams that are already decoded into chunks are watched as they pass.
 */
import { transformStream } from '../../execution/chat-executor.js';
import type { ChatStage } from '../../pipeline/pipelines.js';
import type { ChatCompletion, ChatCompletionChunk } from '../../protocol/chat-types.js';
import type { RequestTrace, RequestTracer } from './request-tracer.js';

export function traceStage(tracer: RequestTracer | undefined): ChatStage | undefined {
  if (!tracer) return undefined;
  const capture = tracer.settings.captureContent;
  return {
    name: 'trace',
    async run(exchange, next) {
      const requestTrace = exchange.scope.trace;
      if (!requestTrace) return next();
      requestTrace.describeRequest(exchange.request);
      const outcome = await next();
      if (outcome.kind === 'completed') {
        requestTrace.response = completionFacts(outcome.call.completion, capture);
        return outcome;
      }
      if (outcome.stream.relay || outcome.stream.native) return outcome;
      return { ...outcome, stream: transformStream(outcome.stream, (chunks) => watchChunks(chunks, requestTrace, capture)) };
    },
  };
}

function completionFacts(completion: ChatCompletion, capture: boolean) {
  return {
    id: completion.id,
    model: completion.model,
    finishReasons: completion.choices.map((choice) => choice.finish_reason ?? '').filter(Boolean),
    output: capture ? completion.choices.map((choice) => (typeof choice.message.content === 'string' ? choice.message.content : '')).join('') : undefined,
  };
}

async function* watchChunks(chunks: AsyncIterable<ChatCompletionChunk>, requestTrace: RequestTrace, capture: boolean): AsyncIterable<ChatCompletionChunk> {
  const facts = (requestTrace.response = { id: undefined as string | undefined, model: undefined as string | undefined, finishReasons: [] as string[], output: capture ? '' : undefined });
  for await (const chunk of chunks) {
    facts.id ??= chunk.id;
    facts.model ??= chunk.model;
    for (const choice of chunk.choices) {
      if (choice.finish_reason) facts.finishReasons.push(choice.finish_reason);
      if (capture && typeof choice.delta?.content === 'string') facts.output += choice.delta.content;
    }
    yield chunk;
  }
}
