/**
 * The chunk stream driven the way undici drives it: a real UpstreamExchange receives a socket
 * read as a run of onData calls (one per HTTP chunk) in one synchronous turn.
 */
import { describe, expect, it } from 'vitest';
import type { SendOptions } from '../shared/http-client.js';
import { UpstreamExchange } from '../shared/upstream-exchange.js';
import { OpenAIChunkStream } from './openai-chunk-stream.js';

const options: SendOptions = { provider: 'openai', headers: {}, timeouts: { connectMs: 1_000, firstTokenMs: 1_000, totalMs: 1_000 } };

function event(index: number): Buffer {
  return Buffer.from(`data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"w${index}"}}]}\n\n`);
}

function startedExchange() {
  const exchange = new UpstreamExchange(() => {});
  let resumed = 0;
  exchange.onConnect(() => {});
  exchange.onHeaders(200, [], () => resumed++);
  return { exchange, resumedCount: () => resumed };
}

describe('OpenAIChunkStream', () => {
  it('hands the events of one socket read to the relay as one batch, with the read bytes in order', async () => {
    const { exchange } = startedExchange();
    const stream = new OpenAIChunkStream(exchange, options);
    const batches: Array<{ payloads: number; raw: string }> = [];
    let ended = false;
    stream.relay({
      payloads: (batch, raw) => {
        batches.push({ payloads: batch.length, raw: Buffer.concat(raw).toString() });
        return true;
      },
      end: () => (ended = true),
      error: (error) => {
        throw error;
      },
    });

    // First read: one event. Second read: ten events and [DONE], each its own HTTP chunk.
    exchange.onData(event(0));
    await stream.started;
    await Promise.resolve();
    const second = [...Array.from({ length: 10 }, (_, index) => event(index + 1)), Buffer.from('data: [DONE]\n\n')];
    for (const chunk of second) exchange.onData(chunk);
    await Promise.resolve();
    exchange.onComplete();

    expect(batches.map((batch) => batch.payloads)).toEqual([1, 10]);
    expect(batches[1]!.raw).toBe(Buffer.concat(second).toString());
    expect(ended).toBe(true);
  });

  it('pauses the upstream while the client is slow and resumes it when the client drains', async () => {
    const { exchange, resumedCount } = startedExchange();
    const stream = new OpenAIChunkStream(exchange, options);
    let clientFull = true;
    const received: string[] = [];
    stream.relay({
      payloads: (batch) => {
        received.push(...batch);
        return !clientFull;
      },
      end: () => {},
      error: () => {},
    });

    expect(exchange.onData(event(0))).toBe(true);
    await Promise.resolve();
    // The relay said the client is full: undici is told to stop at the next chunk.
    expect(exchange.onData(event(1))).toBe(false);
    expect(resumedCount()).toBe(0);

    clientFull = false;
    stream.resume();
    expect(resumedCount()).toBe(1);
    await Promise.resolve();
    expect(exchange.onData(event(2))).toBe(true);
    await Promise.resolve();
    expect(received.map((payload) => JSON.parse(payload).choices[0].delta.content)).toEqual(['w0', 'w1', 'w2']);
  });

  it('tells the relay nothing more once cancelled, not even the rest of a read already taken in', async () => {
    const { exchange } = startedExchange();
    const stream = new OpenAIChunkStream(exchange, options);
    const received: string[] = [];
    let ended = false;
    stream.relay({
      payloads: (batch) => {
        received.push(...batch);
        return true;
      },
      end: () => (ended = true),
      error: () => (ended = true),
    });
    exchange.onData(event(0));
    await Promise.resolve();
    exchange.onData(event(1));
    stream.cancel();
    await Promise.resolve();
    expect(received).toHaveLength(1);
    expect(ended).toBe(false);
  });
});
