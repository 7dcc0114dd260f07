/**
 * A closed-loop driver for a fixed number of requests over a few keep-alive connections, for the
 * counting tools (instructions, allocations) where the number of requests matters more than the
 * rate, and wrk's duration-based runs do not fit.
 */
import { Agent, request } from 'node:http';

export class RequestDriver {
  private readonly agent: Agent;

  constructor(private readonly concurrency: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  }

  /** Sends `count` requests, `concurrency` at a time; rejects on the first non-200 answer. */
  async drive(url: URL, headers: Record<string, string>, body: string, count: number): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: this.concurrency }, async () => {
        while (next++ < count) await this.send(url, headers, body);
      }),
    );
  }

  private send(url: URL, headers: Record<string, string>, body: string): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      const outgoing = request(url, { method: 'POST', agent: this.agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
        response.on('data', () => {});
        response.on('end', () => (response.statusCode === 200 ? resolvePromise() : reject(new Error(`HTTP ${response.statusCode}`))));
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
