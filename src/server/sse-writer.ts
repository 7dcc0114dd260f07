/**
 * Writes Server-Sent Events to a client: `data: <json>\n\n` frames, respecting backpressure so a
 * slow client cannot make the gateway buffer a whole stream in memory.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

export class SseWriter {
  constructor(private readonly response: ServerResponse) {}

  open(headers: Record<string, string>): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
    });
    this.response.flushHeaders();
  }

  get isOpen(): boolean {
    return this.response.headersSent;
  }

  get clientGone(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  async writeData(data: unknown): Promise<void> {
    if (this.clientGone) return;
    if (!this.response.write(`data: ${JSON.stringify(data)}\n\n`)) await once(this.response, 'drain');
  }

  end(withDone = true): void {
    if (this.clientGone) return;
    this.response.end(withDone ? 'data: [DONE]\n\n' : undefined);
  }
}
