/**
 * Per-request state: the id, the clock, the log record being filled in, and a signal that
 * fires when the client goes away so upstream calls are cancelled with it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClientSignal } from '../reliability/cancel-signal.js';
import { newRequestId } from './request-id.js';
import { jsonTextOf } from '../protocol/raw-json.js';
import { emptyRecord, type RequestRecord } from '../storage/request-record.js';

export class RequestContext {
  readonly id = newRequestId();
  readonly started = performance.now();
  readonly record: RequestRecord;
  /** Aborted when the client disconnects before the response is complete. */
  readonly signal = new ClientSignal();
  /** Headers every response of this request carries. */
  readonly headers: Record<string, string>;

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    readonly path: string,
    readonly query: URLSearchParams,
  ) {
    this.record = emptyRecord(this.id, path);
    this.headers = { 'x-request-id': this.id };
    response.once('close', () => {
      if (!response.writableFinished) this.signal.abort();
    });
  }

  elapsedMs(): number {
    return Math.round((performance.now() - this.started) * 100) / 100;
  }

  sendJson(status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = jsonTextOf(body);
    this.response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...this.headers,
      ...headers,
    });
    this.response.end(text);
  }
}
