/**
 * Writes Server-Sent Events to a client: `data: <json>\n\n` frames, respecting backpressure so a
 * slow client cannot make the gateway buffer a whole stream in memory.
 *
 * Frames written in the same turn of the event loop (the head and first chunk, or the chunks of
 * one upstream read) go out in one syscall: the socket is corked on the first write and uncorked
 * on the next tick. One write per frame cost more CPU than the rest of the stream path.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

export class SseWriter {
  private corked = false;

  constructor(private readonly response: ServerResponse) {}

  open(headers: Record<string, string>): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
    });
    // Corked first, so the head leaves with the frames written this tick (or alone on the next).
    this.cork();
    this.response.flushHeaders();
  }

  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.response.cork();
    process.nextTick(() => {
      if (!this.corked) return;
      this.corked = false;
      this.response.uncork();
    });
  }

  get isOpen(): boolean {
    return this.response.headersSent;
  }

  get clientGone(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  async writeData(data: unknown): Promise<void> {
    if (this.clientGone) return;
    this.cork();
    if (!this.response.write(`data: ${JSON.stringify(data)}\n\n`)) await once(this.response, 'drain');
  }

  /**
   * Writes frames already in SSE form (a relayed batch). Returns false when the client is slow:
   * `onDrain` runs once it has caught up.
   */
  writeFrames(frames: string | readonly Buffer[], onDrain: () => void): boolean {
    if (this.clientGone) return true;
    this.cork();
    // One write for the whole batch: each write of a chunked response adds its own chunk header.
    const flowing = this.response.write(typeof frames === 'string' ? frames : frames.length === 1 ? frames[0]! : Buffer.concat(frames));
    if (flowing) return true;
    this.response.once('drain', onDrain);
    return false;
  }

  end(withDone = true): void {
    if (this.clientGone) return;
    // end() uncorks the socket fully itself.
    this.corked = false;
    this.response.end(withDone ? 'data: [DONE]\n\n' : undefined);
  }
}
