/**
 * Reads a request body up to a byte limit and parses it as JSON. Oversized bodies are refused
 * from `content-length` alone when possible, before a byte is buffered.
 */
import type { IncomingMessage } from 'node:http';
import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors/index.js';
import { assertJsonDepth, DEFAULT_JSON_DEPTH } from './json-depth.js';
import type { GatewayConfig } from '../config/schema.js';

/** Parses the body as JSON: at most `limitBytes` (else 413) and nested at most `maxDepth` deep (else 400). */
export async function readJson(request: IncomingMessage, limitBytes: number, maxDepth = DEFAULT_JSON_DEPTH): Promise<unknown> {
  // A page on another origin can POST text/plain without a CORS preflight; JSON needs one.
  if (!isJsonContentType(request.headers['content-type'])) throw new UnsupportedMediaTypeError(request.headers['content-type']);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
  const { chunks, size } = await readChunks(request, limitBytes);
  if (size === 0) throw new InvalidRequestError('The request body is empty; send a JSON object.', null, 'invalid_json');
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new InvalidRequestError('We could not parse the JSON body of your request. Check that it is valid JSON.', null, 'invalid_json');
  }
  assertJsonDepth(body, maxDepth);
  return body;
}

/** `application/json`, with or without parameters, or a `+json` type. */
/** A model request's JSON body, under the configured size (`server.max_body_bytes`) and nesting (`limits.request_json_depth`) bounds. */
export function readModelRequestJson(request: IncomingMessage, config: Pick<GatewayConfig, 'server' | 'limits'>): Promise<unknown> {
  return readJson(request, config.server.max_body_bytes, config.limits.request_json_depth);
}

export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/**
 * Collects the body with plain listeners: `for await` over the request builds an async
 * iterator and a promise per chunk, which showed in the request-path profile.
 */
function readChunks(request: IncomingMessage, limitBytes: number): Promise<{ chunks: Buffer[]; size: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        // Stop reading; the error handler answers 413 and the connection is closed after it.
        request.pause();
        reject(new PayloadTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ chunks, size });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(Object.assign(new Error('the client closed the connection before sending the whole body'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}
