/**
 * POST /v1/chat/completions: the OpenAI Chat Completions surface. It decodes the body into the
 * pipeline's request (already in this shape), runs the chat pipeline, and encodes the outcome
 * as OpenAI JSON or SSE. Everything else (admission, routing, execution, settlement, logging)
 * is the pipeline's.
 */
import type { CompletedCall, StartedStream } from '../../execution/chat-executor.js';
import { recordCompleted, recordStreamEnd, recordStreamStart } from '../../pipeline/outcome-record.js';
import type { ChatOutcome } from '../../pipeline/chat-outcome.js';
import { parseChatCompletionRequest } from '../../protocol/chat-request-schema.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import { errorBody } from '../../server/error-response.js';
import type { Gateway } from '../../server/gateway.js';
import { readModelRequestJson } from '../../server/read-body.js';
import type { RequestContext } from '../../server/request-context.js';
import { SseWriter } from '../../server/sse-writer.js';
import { recordChatRequest } from '../record-request.js';
import { recordStreamFailure } from '../stream-failure.js';
import { relayChunks, relayPayloads } from './stream-relay.js';

export async function handleChatCompletions(gateway: Gateway, context: RequestContext): Promise<void> {
  const body = await readModelRequestJson(context.request, gateway.config);
  const request = parseChatCompletionRequest(body);
  recordChatRequest(context, 'chat-completions', request, gateway.config.storage.log_bodies ? body : undefined);
  const outcome = await gateway.pipelines.chat({ scope: context, surface: 'chat-completions', request });
  if (outcome.kind === 'completed') {
    const headers = recordCompleted(context, outcome);
    if (gateway.config.storage.log_bodies) context.record.response_body = JSON.stringify(outcome.call.completion);
    if (request.stream) await replayAsStream(context, request, outcome.call, headers);
    else context.sendJson(200, outcome.call.completion);
    return;
  }
  await pipeStream(gateway, context, request, outcome);
}

/**
 * Relays an upstream stream to the client. Failover is only possible before this point: once
 * the first byte is out, a failure ends the stream with an OpenAI-style error event.
 */
async function pipeStream(gateway: Gateway, context: RequestContext, request: ChatCompletionRequest, outcome: Extract<ChatOutcome, { kind: 'stream' }>): Promise<void> {
  const stream: StartedStream = outcome.stream;
  const writer = new SseWriter(context.response);
  writer.open(recordStreamStart(context, outcome));
  const includeUsage = request.stream_options?.include_usage === true;
  const pricedTextChars = gateway.config.limits.priced_text_chars;
  const relayed = stream.relay ? await relayPayloads(context, writer, stream.relay, includeUsage, pricedTextChars) : await relayChunks(context, writer, stream.chunks, includeUsage, pricedTextChars);
  if (relayed.error === undefined) {
    writer.end();
  } else {
    const failure = recordStreamFailure(context, relayed.error, gateway.logger);
    if (failure) {
      // After passed-through bytes the upstream's last event may be cut short: close it first.
      if (relayed.passedThrough) writer.writeFrames('\n\n', () => {});
      await writer.writeData(errorBody(failure));
    }
    writer.end(false);
  }
  recordStreamEnd(context, request, outcome, relayed.usage, relayed.text);
}

/**
 * Streams a completion that was produced whole (a cascade's accepted answer): one content
 * chunk, tool calls, the finish reason, then usage if asked for.
 */
async function replayAsStream(context: RequestContext, request: ChatCompletionRequest, call: CompletedCall, headers: Record<string, string>): Promise<void> {
  const { completion } = call;
  const writer = new SseWriter(context.response);
  writer.open(headers);
  const base = { id: completion.id, object: 'chat.completion.chunk' as const, created: completion.created, model: completion.model };
  for (const choice of completion.choices) {
    const toolCalls = choice.message.tool_calls?.map((toolCall, index) => ({ index, ...toolCall }));
    await writer.writeData({ ...base, choices: [{ index: choice.index, delta: { role: 'assistant', content: choice.message.content ?? '', ...(toolCalls ? { tool_calls: toolCalls } : {}) }, finish_reason: null }] });
    await writer.writeData({ ...base, choices: [{ index: choice.index, delta: {}, finish_reason: choice.finish_reason }] });
  }
  context.record.ttft_ms = context.elapsedMs();
  if (request.stream_options?.include_usage) {
    const { tokens } = call.cost;
    await writer.writeData({ ...base, choices: [], usage: completion.usage ?? { prompt_tokens: tokens.promptTokens, completion_tokens: tokens.completionTokens, total_tokens: tokens.promptTokens + tokens.completionTokens } });
  }
  writer.end();
}
