/**
 * Every HTTP request enters here: find the handler, run it, and turn any error into the one
 * OpenAI-style error response. Requests under /v1 are always written to the request log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError, NotFoundError } from '../errors/index.js';
import type { Gateway } from './gateway.js';
import { toGatewayError, writeError } from './error-response.js';
import { RequestContext } from './request-context.js';
import { findHandler } from './route-handlers.js';

export async function handleHttpRequest(gateway: Gateway, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
  const context = new RequestContext(request, response, path, query);
  // Every model call (and every failed attempt at one) is logged; admin reads and health are not.
  const logged = !path.startsWith('/api/') && path !== '/health';
  gateway.inFlight++;
  try {
    if (gateway.draining) response.setHeader('connection', 'close');
    const match = findHandler(request.method ?? 'GET', path);
    if (match === 'method-not-allowed') throw new MethodNotAllowedError(request.method ?? '', path);
    if (!match) throw new NotFoundError(`Unknown path ${request.method} ${path}.`);
    await gateway.governance.authenticate(context);
    await match(gateway, context);
  } catch (error) {
    const gatewayError = toGatewayError(error);
    if (gatewayError.status >= 500 && gatewayError.code === 'internal_error') {
      gateway.logger.error({ err: error, requestId: context.id, path }, 'unhandled error');
    }
    context.record.status = gatewayError.status;
    context.record.error_code = gatewayError.code;
    context.record.error_message = gatewayError.message.slice(0, 500);
    writeError(response, gatewayError, context.headers);
  } finally {
    gateway.inFlight--;
    if (logged) {
      context.record.latency_ms = context.elapsedMs();
      gateway.logWriter.enqueue(context.record);
    }
  }
}
