/**
 * A local fake upstream for tests: a real HTTP server on loopback that records every request
 * and answers with scripted replies in a provider's real wire format, including faults (error
 * bodies with Retry-After, hangs, connection resets before and during a stream, bad JSON).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  rawBody: string;
  body: any;
}

export type FakeReply =
  /** A JSON body. */
  | { status?: number; json: unknown; headers?: Record<string, string>; delayMs?: number }
  /** A raw body, for malformed responses. */
  | { status?: number; raw: string; headers?: Record<string, string>; delayMs?: number }
  /**
   * An SSE stream: each entry is written as one frame (`data: …` lines joined, or a full
   * `event: …\ndata: …` block when it contains a newline). `resetAfter` cuts the connection
   * after that many frames; `gapMs` waits between frames.
   */
  | { status?: number; sse: string[]; headers?: Record<string, string>; gapMs?: number; delayMs?: number; resetAfter?: number }
  /** Write the response yourself (hostile upstreams: endless bodies, endless lines). */
  | { write: (response: ServerResponse) => void | Promise<void> }
  /** Never answer. */
  | { hang: true }
  /** Destroy the socket without answering. */
  | { reset: true };

export type FakeHandler = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

export class FakeUpstream {
  readonly requests: FakeRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    private handler: FakeHandler,
  ) {}

  static async start(handler: FakeHandler): Promise<FakeUpstream> {
    const server = createServer();
    const fake = new FakeUpstream(server, handler);
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (request, response) => void fake.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  setHandler(handler: FakeHandler): void {
    this.handler = handler;
  }

  get lastRequest(): FakeRequest {
    const last = this.requests[this.requests.length - 1];
    if (!last) throw new Error('the fake upstream received no request');
    return last;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://fake');
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: FakeRequest = { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: request.headers, rawBody, body };
    this.requests.push(recorded);
    const reply = await this.handler(recorded);
    if ('hang' in reply) return;
    if ('reset' in reply) {
      request.socket.destroy();
      return;
    }
    if ('write' in reply) {
      await reply.write(response);
      return;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if ('json' in reply || 'raw' in reply) {
      const text = 'json' in reply ? JSON.stringify(reply.json) : reply.raw;
      response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      response.end(text);
      return;
    }
    response.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...reply.headers });
    for (const [index, frame] of reply.sse.entries()) {
      if (reply.resetAfter !== undefined && index >= reply.resetAfter) {
        request.socket.destroy();
        return;
      }
      response.write(frame.includes('\n') ? `${frame}\n\n` : `data: ${frame}\n\n`);
      if (reply.gapMs) await new Promise((resolve) => setTimeout(resolve, reply.gapMs));
    }
    response.end();
  }
}
