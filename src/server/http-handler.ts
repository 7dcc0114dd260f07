/**
 * Every HTTP request enters here: find the route, authenticate the caller (the pipeline's first
 * stage, shared with the admin API), run the handler, and turn any error into the one error
 * response, in the surface's format. Then the log step: finish hooks (settlement, shadow…)
 * run, and a model request's record goes to the request log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError, NotFoundError } from '../errors/index.js';
import { logRequest } from '../storage/log-request.js';
import type { Gateway } from './gateway.js';
import { toGatewayError, writeError } from './error-response.js';
import { RequestContext } from './request-context.js';

export async function handleHttpRequest(gateway: Gateway, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const context = new RequestContext(request, response, path, queryStart === -1 ? '' : url.slice(queryStart + 1));
  const match = gateway.httpRoutes.find(request.method ?? 'GET', path);
  const entry = typeof match === 'object' ? match.entry : undefined;
  // Only requests that reached a model API as a known caller become log rows: unknown paths and
  // failed authentication would otherwise let anyone fill the log.
  let logged = false;
  // A server span for each model request when telemetry is on; nothing at all when it is off.
  const requestTrace = gateway.tracer && entry?.logged ? gateway.tracer.startRequest(request.method ?? 'POST', path, request.headers) : undefined;
  gateway.inFlight++;
  // storage.durability: strict: the answer's last bytes wait for its row to be committed.
  const heldEnd = entry?.logged && gateway.config.storage.durability === 'strict' ? holdResponseEnd(response) : undefined;
  try {
    if (gateway.draining) response.setHeader('connection', 'close');
    gateway.requestGuard.check(request);
    const cors = gateway.requestGuard.corsHeaders(request);
    if (cors) {
      Object.assign(context.headers, cors);
      if (request.method === 'OPTIONS') {
        response.writeHead(204, context.headers).end();
        return;
      }
    }
    if (match === 'method-not-allowed') throw new MethodNotAllowedError(request.method ?? '', path);
    if (!match) throw new NotFoundError(`Unknown path ${request.method} ${path}.`);
    context.params = match.params;
    await gateway.governance.authenticate(context, path);
    logged = match.entry.logged;
    context.trace = requestTrace;
    await match.entry.handler(gateway, context);
  } catch (error) {
    const gatewayError = toGatewayError(error);
    if (gatewayError.status >= 500 && gatewayError.code === 'internal_error') {
      gateway.logger.error({ err: error, requestId: context.id, path }, 'unhandled error');
    }
    context.record.status = gatewayError.status;
    context.record.error_code = gatewayError.code;
    context.record.error_message = gatewayError.message.slice(0, 500);
    (entry?.writeError ?? writeError)(response, gatewayError, context.headers);
  } finally {
    // Counted in flight until its record is enqueued: shutdown flushes the log once none is.
    await logRequest(gateway, context, logged, heldEnd !== undefined);
    heldEnd?.release();
    if (requestTrace) gateway.tracer!.endRequest(requestTrace, context.record);
    gateway.inFlight--;
  }
}

/**
 * Holds `response.end(…)` until `release()`: a JSON answer's body (or a stream's last frame and
 * end) leaves only then, so a client never holds an answer whose row a crash could lose.
 */
function holdResponseEnd(response: ServerResponse): { release(): void } {
  const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
  let held: unknown[] | undefined;
  let released = false;
  response.end = ((...args: unknown[]) => {
    if (released) return end(...args);
    held = args;
    return response;
  }) as ServerResponse['end'];
  return {
    release() {
      released = true;
      response.end = end as ServerResponse['end'];
      if (held) end(...held);
    },
  };
}
