/**
 * The one path from an error to a client response: an OpenAI-style body with the right status.
 * Unknown errors become a generic 500 whose message reveals nothing internal.
 */
import type { ServerResponse } from 'node:http';
import { GatewayError, InternalError } from '../errors/index.js';

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function toGatewayError(error: unknown): GatewayError {
  return error instanceof GatewayError ? error : new InternalError(error);
}

export function errorBody(error: GatewayError): ErrorBody {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

export function writeError(response: ServerResponse, error: GatewayError, headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const body = JSON.stringify(errorBody(error));
  const extra: Record<string, string> = { ...headers, ...error.headers };
  if (error.retryAfterMs !== undefined && error.status === 429) extra['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  response.writeHead(error.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...extra });
  response.end(body);
}
