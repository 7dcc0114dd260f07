/**
 * POST /v1/chat/completions: validate, resolve the model or route, call upstream, answer in
 * OpenAI's shape (JSON or SSE), and fill in the request record with what happened and cost.
 */
import { ModelNotFoundError } from '../../errors/index.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import { parseChatCompletionRequest } from '../../protocol/chat-request-schema.js';
import type { CompletedCall, StartedStream } from '../../execution/chat-executor.js';
import { priceCall, recordAttemptCost, type CallCost } from '../../execution/priced-call.js';
import type { RouteResult } from '../../routing/route.js';
import type { RequestRecord } from '../../storage/request-record.js';
import { computeCost } from '../../cost/compute-cost.js';
import { readJson } from '../read-body.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../request-context.js';
import { SseWriter } from '../sse-writer.js';
import { relayChunks, relayPayloads } from '../stream-relay.js';
import { errorBody, toGatewayError } from '../error-response.js';

export async function handleChatCompletions(gateway: Gateway, context: RequestContext): Promise<void> {
  const body = await readJson(context.request, gateway.config.server.max_body_bytes);
  const request = parseChatCompletionRequest(body);
  const record = context.record;
  record.requested_model = request.model;
  record.streamed = request.stream === true;
  record.end_user = request.user ?? null;
  record.metadata = request.metadata ?? null;
  if (gateway.config.storage.log_bodies) record.request_body = JSON.stringify(body);
  // Scope, rate limit, degradation and budget reservation; settled on success and failure alike.
  const admission = await gateway.governance.admit(context, request);
  try {
    await serveChat(gateway, context, request);
  } finally {
    await admission.settle(record);
  }
}

async function serveChat(gateway: Gateway, context: RequestContext, request: ChatCompletionRequest): Promise<void> {
  const record = context.record;
  const result = await runChat(gateway, context, request);
  const headers: Record<string, string> = { ...context.headers, ...result.headers };
  if (result.kind === 'completed') {
    const { call } = result;
    describeServedCall(context, call, result.extraCost);
    headers['x-switchboard-model'] = call.model.name;
    headers['x-switchboard-provider'] = call.deployment.info.provider;
    headers['x-switchboard-cost-usd'] = (call.cost.costUsd + result.extraCost).toFixed(8);
    if (call.cost.estimated) headers['x-switchboard-cost-estimated'] = 'true';
    if (gateway.config.storage.log_bodies) record.response_body = JSON.stringify(call.completion);
    if (request.stream) await replayAsStream(context, request, call, headers);
    else context.sendJson(200, call.completion, headers);
    recordBaselineCost(gateway, record);
    return;
  }
  headers['x-switchboard-model'] = result.stream.model.name;
  headers['x-switchboard-provider'] = result.stream.deployment.info.provider;
  await pipeStream(gateway, context, request, result.stream, headers, result.extraCost);
  recordBaselineCost(gateway, record);
}

/** Resolves `model` to a configured model or a route and runs it. */
async function runChat(gateway: Gateway, context: RequestContext, request: ChatCompletionRequest): Promise<RouteResult> {
  const dispatchContext = { signal: context.signal, attempts: context.record.attempts };
  const model = gateway.registry.get(request.model);
  if (model) {
    if (request.stream) return { kind: 'stream', stream: await gateway.executor.stream(model, request, dispatchContext), extraCost: 0, headers: {} };
    return { kind: 'completed', call: await gateway.executor.complete(model, request, dispatchContext), extraCost: 0, headers: {} };
  }
  const route = gateway.routes.get(request.model);
  if (!route) throw new ModelNotFoundError(request.model, [...gateway.registry.names(), ...gateway.routes.names()]);
  return route.run(request, { executor: gateway.executor, dispatch: dispatchContext, record: context.record, httpHeaders: context.request.headers });
}

function describeServedCall(context: RequestContext, call: CompletedCall, extraCost: number): void {
  applyCost(context, call.cost, extraCost);
  context.record.served_model = call.model.name;
  context.record.provider = call.deployment.info.provider;
  context.record.deployment = call.deployment.id;
}

function applyCost(context: RequestContext, cost: CallCost, extraCost: number): void {
  const record = context.record;
  record.prompt_tokens += cost.tokens.promptTokens;
  record.completion_tokens += cost.tokens.completionTokens;
  record.cached_tokens += cost.tokens.cachedTokens;
  record.reasoning_tokens += cost.tokens.reasoningTokens;
  record.cost_usd += cost.costUsd + extraCost;
  record.cost_estimated ||= cost.estimated;
}

/**
 * Relays an upstream stream to the client. Failover is only possible before this point: once
 * the first byte is out, a failure ends the stream with an OpenAI-style error event.
 */
async function pipeStream(gateway: Gateway, context: RequestContext, request: ChatCompletionRequest, stream: StartedStream, headers: Record<string, string>, extraCost: number): Promise<void> {
  const record = context.record;
  record.served_model = stream.model.name;
  record.provider = stream.deployment.info.provider;
  record.deployment = stream.deployment.id;
  const writer = new SseWriter(context.response);
  writer.open(headers);
  const includeUsage = request.stream_options?.include_usage === true;
  const outcome = stream.relay ? await relayPayloads(context, writer, stream.relay, includeUsage) : await relayChunks(context, writer, stream.chunks, includeUsage);
  if (outcome.error === undefined) {
    writer.end();
  } else if (context.signal.aborted) {
    // The client hung up; there is nobody to tell. Log it the way nginx does.
    record.status = 499;
    record.error_code = 'client_closed_request';
    record.error_message = 'the client closed the connection during the stream';
    writer.end(false);
  } else {
    const gatewayError = toGatewayError(outcome.error);
    record.status = gatewayError.status;
    record.error_code = 'stream_interrupted';
    record.error_message = `after first byte: ${gatewayError.message}`.slice(0, 500);
    gateway.logger.warn({ requestId: context.id, code: gatewayError.code }, 'upstream stream failed after the first byte');
    // After passed-through bytes the upstream's last event may be cut short: close it first.
    if (outcome.passedThrough) writer.writeFrames('\n\n', () => {});
    await writer.writeData(errorBody(gatewayError));
    writer.end(false);
  }
  const cost = priceCall(request, outcome.usage, outcome.usage ? '' : outcome.text(), stream.deployment.price);
  applyCost(context, cost, extraCost);
  recordAttemptCost(record.attempts, cost);
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

/**
 * What a routed request would have cost on its route's strong model, from the same token
 * counts and catalog prices. Unrouted requests cost their own price (no saving).
 */
function recordBaselineCost(gateway: Gateway, record: RequestRecord): void {
  const route = record.route ? gateway.routes.get(record.route) : undefined;
  const strong = route?.strongModel ? gateway.registry.get(route.strongModel) : undefined;
  if (!strong?.price) return;
  record.baseline_cost_usd = computeCost(
    { promptTokens: record.prompt_tokens, completionTokens: record.completion_tokens, cachedTokens: record.cached_tokens, cacheWriteTokens: 0, reasoningTokens: record.reasoning_tokens },
    strong.price,
  );
}
