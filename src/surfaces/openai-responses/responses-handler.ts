/**
 * The OpenAI Responses surface:
 *
 *   POST   /v1/responses        decode (with the stored conversation a `previous_response_id`
 *                               names, and stored items for `item_reference`s), run the chat
 *                               pipeline, encode a Response or its events, and keep it when the
 *                               request asked for `store: true`
 *   GET    /v1/responses/{id}   a stored response, to the key that stored it
 *   DELETE /v1/responses/{id}   forget one
 *
 * Admission, routing, execution, settlement and the log are the pipeline's, as for every surface.
 */
import type { StartedStream } from '../../execution/chat-executor.js';
import { InvalidRequestError } from '../../errors/index.js';
import type { ChatOutcome } from '../../pipeline/chat-outcome.js';
import { recordCompleted, recordStreamEnd, recordStreamStart } from '../../pipeline/outcome-record.js';
import { BoundedText } from '../../cost/bounded-text.js';
import type { RequestScope } from '../../pipeline/request-scope.js';
import type { ChatCompletionChunk, Usage } from '../../protocol/chat-types.js';
import type { Gateway } from '../../server/gateway.js';
import { readModelRequestJson } from '../../server/read-body.js';
import type { RequestContext } from '../../server/request-context.js';
import { SseWriter } from '../../server/sse-writer.js';
import { recordChatRequest } from '../record-request.js';
import { recordStreamFailure } from '../stream-failure.js';
import { completionChunks } from './completion-chunks.js';
import { decodeResponsesRequest, type DecodedResponsesRequest } from './decode-request.js';
import { encodeResponse } from './encode-response.js';
import { parseResponsesRequest } from './request-schema.js';
import { epochSeconds } from './response-object.js';
import { getStoredResponse, keepResponse, loadConversation, resolveItemReferences } from './store/conversation.js';
import { ResponseStreamEncoder } from './stream-encoder.js';

export async function handleCreateResponse(gateway: Gateway, context: RequestContext): Promise<void> {
  const createdAt = epochSeconds();
  const body = await readModelRequestJson(context.request, gateway.config);
  const owner = ownerOf(context);
  const parsed = await resolveItemReferences(gateway.responseStore, parseResponsesRequest(body), owner);
  const history = parsed.previous_response_id ? await loadConversation(gateway.responseStore, parsed.previous_response_id, owner) : [];
  const decoded = decodeResponsesRequest(parsed, history);
  recordChatRequest(context, 'responses', decoded.chat, gateway.config.storage.log_bodies ? body : undefined);
  const outcome = await gateway.pipelines.chat({ scope: context, surface: 'responses', request: decoded.chat });

  if (outcome.kind === 'stream') {
    await streamResponse(gateway, context, decoded, outcome, createdAt);
    return;
  }
  const headers = recordCompleted(context, outcome);
  const { completion, cost } = outcome.call;
  if (decoded.stream) {
    // A route answered the stream with a whole completion (a cascade's accepted answer).
    const encoder = new ResponseStreamEncoder(decoded.echo, { createdAt });
    const writer = new SseWriter(context.response);
    writer.open(headers);
    let frames = encoder.start();
    for (const chunk of completionChunks(completion)) frames += encoder.push(chunk);
    context.record.ttft_ms = context.elapsedMs();
    await writeFrames(context, writer, frames + encoder.finish({ fallbackUsage: usageOf(cost.tokens) }));
    writer.end(false);
    await finishResponse(gateway, context, decoded, encoder.response, owner);
    return;
  }
  const response = encodeResponse(completion, decoded.echo, { createdAt, fallbackUsage: usageOf(cost.tokens) });
  await finishResponse(gateway, context, decoded, response, owner);
  context.sendJson(200, response);
}

export async function handleGetResponse(gateway: Gateway, context: RequestContext): Promise<void> {
  if (context.query.get('stream') === 'true') {
    throw new InvalidRequestError('Replaying a stored response as a stream is not supported by this gateway; fetch it without stream=true.', 'stream', 'unsupported_parameter');
  }
  context.sendJson(200, await getStoredResponse(gateway.responseStore, context.params.id!, ownerOf(context)));
}

export async function handleDeleteResponse(gateway: Gateway, context: RequestContext): Promise<void> {
  const id = context.params.id!;
  // Through getStoredResponse so an unknown id is the same 404 as on GET.
  await getStoredResponse(gateway.responseStore, id, ownerOf(context));
  await gateway.responseStore.delete(id, ownerOf(context));
  context.sendJson(200, { id, object: 'response', deleted: true });
}

/**
 * Encodes an upstream stream as Responses events. Failover is over once the stream has started:
 * a failure after that ends it with `response.failed` and an `error` event.
 */
async function streamResponse(gateway: Gateway, context: RequestContext, decoded: DecodedResponsesRequest, outcome: Extract<ChatOutcome, { kind: 'stream' }>, createdAt: number): Promise<void> {
  const stream: StartedStream = outcome.stream;
  const record = context.record;
  const encoder = new ResponseStreamEncoder(decoded.echo, { createdAt });
  const writer = new SseWriter(context.response);
  writer.open(recordStreamStart(context, outcome));
  let usage: Usage | null = null;
  // The streamed text, priced when the upstream reports no usage; bounded (cost/bounded-text.ts).
  const text = new BoundedText(gateway.config.limits.priced_text_chars);
  let frames = encoder.start();
  try {
    for await (const chunk of stream.chunks) {
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (choice) {
        if (record.ttft_ms === null) record.ttft_ms = context.elapsedMs();
        text.append(textOf(choice.delta));
      }
      frames += encoder.push(chunk);
      await writeFrames(context, writer, frames);
      frames = '';
    }
    await writeFrames(context, writer, frames + encoder.finish());
    writer.end(false);
  } catch (error) {
    const failure = recordStreamFailure(context, error, gateway.logger);
    if (failure) await writeFrames(context, writer, frames + encoder.fail(failure));
    writer.end(false);
  }
  recordStreamEnd(context, decoded.chat, outcome, usage, text);
  // A stream the client left is neither finished nor failed: there is no response to keep.
  if (encoder.response.status !== 'in_progress') await finishResponse(gateway, context, decoded, encoder.response, ownerOf(context));
}

async function finishResponse(gateway: Gateway, context: RequestContext, decoded: DecodedResponsesRequest, response: ReturnType<typeof encodeResponse>, owner: string | null): Promise<void> {
  if (gateway.config.storage.log_bodies) context.record.response_body = JSON.stringify(response);
  await keepResponse(gateway.responseStore, decoded, response, owner);
}

/** A stored response belongs to the virtual key that created it; without one (no auth, the admin key), to no key. */
function ownerOf(scope: RequestScope): string | null {
  return scope.principal.kind === 'virtual-key' ? scope.principal.key.id : null;
}

function usageOf(tokens: { promptTokens: number; completionTokens: number; cachedTokens: number; reasoningTokens: number }): Usage {
  return {
    prompt_tokens: tokens.promptTokens,
    completion_tokens: tokens.completionTokens,
    total_tokens: tokens.promptTokens + tokens.completionTokens,
    prompt_tokens_details: { cached_tokens: tokens.cachedTokens },
    completion_tokens_details: { reasoning_tokens: tokens.reasoningTokens },
  };
}

function textOf(delta: ChatCompletionChunk['choices'][number]['delta']): string {
  let text = delta.content ?? '';
  for (const call of delta.tool_calls ?? []) text += (call.function?.name ?? '') + (call.function?.arguments ?? '');
  return text;
}

/** Writes frames, waiting while the client is slow (or until it has gone). */
function writeFrames(context: RequestContext, writer: SseWriter, frames: string): Promise<void> | undefined {
  if (frames === '') return undefined;
  return new Promise<void>((resolve) => {
    if (writer.writeFrames(frames, resolve)) resolve();
    else context.response.once('close', resolve);
  });
}
