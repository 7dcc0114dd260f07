/**
 * Reads a request body up to a byte limit and parses it as JSON. Oversized bodies are refused
 * from `content-length` alone when possible, before a byte is buffered.
 */
import type { IncomingMessage } from 'node:http';
import { InvalidRequestError, PayloadTooLargeError } from '../errors/index.js';

export async function readJson(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new PayloadTooLargeError(limitBytes);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) throw new InvalidRequestError('The request body is empty; send a JSON object.', null, 'invalid_json');
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError('We could not parse the JSON body of your request. Check that it is valid JSON.', null, 'invalid_json');
  }
}
