/**
 * An HTTP request's scope: the pipeline's per-request state (request-scope.ts) plus the
 * node:http request and response, the path, its parameters and the query.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestScope } from '../pipeline/request-scope.js';
import { jsonTextOf } from '../protocol/raw-json.js';

export class RequestContext extends RequestScope {
  /** Named segments of a parameterised path (`/v1/models/{id}` → `{ id }`). */
  params: Record<string, string> = {};
  private parsedQuery: URLSearchParams | undefined;

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    readonly path: string,
    /** The raw query string after `?`, '' when none. */
    private readonly queryText: string,
  ) {
    super(path, request.headers);
    response.once('close', () => {
      if (!response.writableFinished) this.signal.abort();
    });
  }

  /** The query, parsed on first use: model requests never read it. */
  get query(): URLSearchParams {
    this.parsedQuery ??= new URLSearchParams(this.queryText);
    return this.parsedQuery;
  }

  /** Sends `body` with the scope's headers, and `headers` on top of them. */
  sendJson(status: number, body: unknown, headers?: Record<string, string>): void {
    const text = jsonTextOf(body);
    const head: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
    for (const name in this.headers) head[name] = this.headers[name]!;
    if (headers !== undefined) for (const name in headers) head[name] = headers[name]!;
    this.response.writeHead(status, head);
    this.response.end(text);
  }
}
