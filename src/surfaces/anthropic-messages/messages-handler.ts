/**
 * POST /v1/messages and /v1/messages/count_tokens: the Anthropic Messages surface. It decodes the
 * body into the pipeline's request (decode-request.ts), keeping the client's own body beside it
 * for a same-protocol pass-through (protocol/native-body.ts), runs the chat pipeline, and encodes
 * the outcome in Anthropic's format:
 * - from an Anthropic deployment: its own message, or its own events (native-stream-relay.ts),
 *   with `model` the name the client sent;
 * - from any other: the translated message (encode-message.ts) or event stream (stream-encoder.ts).
 * Errors, before or during a stream, take Anthropic's shape (errors.ts).
 */
import type { ServerResponse } from 'node:http';
import type { GatewayError } from '../../errors/index.js';
import type { CompletedCall, StartedStream } from '../../execution/chat-executor.js';
import type { ChatOutcome } from '../../pipeline/chat-outcome.js';
import { recordCompleted, recordStreamEnd, recordStreamStart } from '../../pipeline/outcome-record.js';
import { BoundedText } from '../../cost/bounded-text.js';
import type { AnthropicResponse } from '../../protocol/anthropic-messages-types.js';
import type { Usage } from '../../protocol/chat-types.js';
import { attachNativeBody, nativeMessageOf } from '../../protocol/native-body.js';
import { estimateTokens } from '../../cost/token-counter.js';
import type { Gateway } from '../../server/gateway.js';
import { readModelRequestJson } from '../../server/read-body.js';
import type { RequestContext } from '../../server/request-context.js';
import { SseWriter } from '../../server/sse-writer.js';
import { recordChatRequest } from '../record-request.js';
import { recordStreamFailure } from '../stream-failure.js';
import { countMessagesTokens, estimateInputTokens } from './count-tokens.js';
import { decodeMessagesRequest, type DecodedMessagesRequest } from './decode-request.js';
import { encodeMessage } from './encode-message.js';
import { anthropicErrorFrame, anthropicErrorResponse } from './errors.js';
import { NativeStreamRelay } from './native-stream-relay.js';
import { messageAsEvents } from './replay-message.js';
import { MessagesStreamEncoder } from './stream-encoder.js';

type Streamed = Extract<ChatOutcome, { kind: 'stream' }>;

export async function handleMessages(gateway: Gateway, context: RequestContext): Promise<void> {
  const body = await readModelRequestJson(context.request, gateway.config);
  const decoded = decodeMessagesRequest(body);
  const beta = context.httpHeaders['anthropic-beta'];
  attachNativeBody(decoded.request, {
    protocol: 'anthropic-messages',
    body: decoded.native,
    beta: Array.isArray(beta) ? beta.join(',') : beta,
    untranslatable: decoded.untranslatable,
  });
  recordChatRequest(context, 'messages', decoded.request, gateway.config.storage.log_bodies ? body : undefined);
  const outcome = await gateway.pipelines.chat({ scope: context, surface: 'messages', request: decoded.request });
  if (outcome.kind === 'completed') return sendCompleted(gateway, context, decoded, outcome);
  const writer = new SseWriter(context.response);
  writer.open(recordStreamStart(context, outcome));
  if (outcome.stream.native) await relayNative(gateway, context, decoded, outcome, writer, outcome.stream.native);
  else await encodeStream(gateway, context, decoded, outcome, writer);
}

export async function handleCountTokens(gateway: Gateway, context: RequestContext): Promise<void> {
  const body = await readModelRequestJson(context.request, gateway.config);
  context.sendJson(200, await countMessagesTokens(body));
}

/** The route's error writer: any error before a stream begins, in Anthropic's shape. */
export function writeAnthropicError(response: ServerResponse, error: GatewayError, headers: Record<string, string>): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const answer = anthropicErrorResponse(error, headers);
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
}

async function sendCompleted(gateway: Gateway, context: RequestContext, decoded: DecodedMessagesRequest, outcome: Extract<ChatOutcome, { kind: 'completed' }>): Promise<void> {
  const headers = recordCompleted(context, outcome);
  const message = clientMessage(outcome.call, decoded.request.model);
  if (gateway.config.storage.log_bodies) context.record.response_body = JSON.stringify(message);
  if (!decoded.request.stream) return context.sendJson(200, message);
  const writer = new SseWriter(context.response);
  writer.open(headers);
  context.record.ttft_ms = context.elapsedMs();
  await send(writer, messageAsEvents(message));
  writer.end(false);
}

/** The upstream's own message when an Anthropic deployment answered, else the translated one. */
function clientMessage(call: CompletedCall, model: string): AnthropicResponse {
  const native = nativeMessageOf(call.completion);
  if (native) return { ...native, model };
  const { tokens } = call.cost;
  const counted: Usage = { prompt_tokens: tokens.promptTokens, completion_tokens: tokens.completionTokens, total_tokens: tokens.promptTokens + tokens.completionTokens };
  return encodeMessage(call.completion, { model, fallbackUsage: counted });
}

async function relayNative(gateway: Gateway, context: RequestContext, decoded: DecodedMessagesRequest, outcome: Streamed, writer: SseWriter, native: NonNullable<StartedStream['native']>): Promise<void> {
  const relay = new NativeStreamRelay(decoded.request.model);
  let failure: unknown;
  try {
    for await (const event of native.events) {
      if (context.record.ttft_ms === null) context.record.ttft_ms = context.elapsedMs();
      await send(writer, relay.relay(event));
    }
  } catch (error) {
    failure = error;
  }
  await finishStream(gateway, context, writer, failure);
  const usage = relay.completionUsage;
  if (usage) native.recordTokens(usage.prompt_tokens + usage.completion_tokens);
  recordStreamEnd(context, decoded.request, outcome, usage, new BoundedText(1));
  if (relay.outputEstimated) context.record.cost_estimated = true;
}

async function encodeStream(gateway: Gateway, context: RequestContext, decoded: DecodedMessagesRequest, outcome: Streamed, writer: SseWriter): Promise<void> {
  // A character estimate: exact counting of a long prompt would delay the first byte, and the
  // upstream's count replaces it in message_delta.
  const encoder = new MessagesStreamEncoder({ model: decoded.request.model, inputTokens: estimateInputTokens(decoded.native, estimateTokens) });
  let usage: Usage | null = null;
  // The streamed text, priced when the upstream reports no usage; bounded (cost/bounded-text.ts).
  const text = new BoundedText(gateway.config.limits.priced_text_chars);
  let failure: unknown;
  try {
    for await (const chunk of outcome.stream.chunks) {
      const choice = chunk.choices[0];
      if (choice) {
        if (context.record.ttft_ms === null) context.record.ttft_ms = context.elapsedMs();
        if (choice.delta.content) text.append(choice.delta.content);
        for (const call of choice.delta.tool_calls ?? []) text.append((call.function?.name ?? '') + (call.function?.arguments ?? ''));
      }
      if (chunk.usage) usage = chunk.usage;
      await send(writer, encoder.encode(chunk));
    }
    await send(writer, encoder.finish());
  } catch (error) {
    failure = error;
  }
  await finishStream(gateway, context, writer, failure, encoder);
  recordStreamEnd(context, decoded.request, outcome, usage, text);
}

/** Ends the response: cleanly, or with an Anthropic `error` event when the upstream broke off. */
async function finishStream(gateway: Gateway, context: RequestContext, writer: SseWriter, failure: unknown, encoder?: MessagesStreamEncoder): Promise<void> {
  if (failure !== undefined) {
    const error = recordStreamFailure(context, failure, gateway.logger);
    if (error) await send(writer, encoder ? encoder.fail(error) : anthropicErrorFrame(error));
  }
  writer.end(false);
}

/** Writes frames, waiting for a slow client to catch up rather than buffering the stream. */
function send(writer: SseWriter, frames: string): Promise<void> | void {
  if (frames === '') return;
  let resume: (() => void) | undefined;
  if (writer.writeFrames(frames, () => resume?.())) return;
  return new Promise((resolve) => {
    resume = resolve;
  });
}
