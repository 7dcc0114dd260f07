/**
 * Upstreams that try to exhaust the gateway's memory (issue 12, finding 3), as fake-upstream
 * handlers shared by the bounds tests and `npm run chaos`: a stream that never ends and never
 * reports usage, a JSON body that never ends, one SSE line that never ends, and a 200 MB JSON
 * answer. Each writes as fast as the gateway reads, and stops when the gateway hangs up.
 */
import type { ServerResponse } from 'node:http';
import type { FakeHandler, FakeReply } from './fake-upstream.js';

/** Writes `next()` until it returns undefined or the reader goes away, honouring backpressure. */
async function pump(response: ServerResponse, next: () => string | Buffer | undefined): Promise<void> {
  let closed = false;
  response.once('close', () => (closed = true));
  for (;;) {
    if (closed || response.destroyed) return;
    const chunk = next();
    if (chunk === undefined) {
      response.end();
      return;
    }
    if (!response.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
    }
  }
}

/** A delta chunk of OpenAI's stream, `words` words of content, no usage. */
function streamChunk(words: number): string {
  const chunk = { id: 'chatcmpl-endless', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'word '.repeat(words) }, finish_reason: null }] };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** The characters of content one `endlessStream` frame carries, for checking what was charged. */
export const ENDLESS_STREAM_FRAME_CONTENT_CHARS = 'word '.length * 50;

/** SSE frames of 50 words each, forever; never `[DONE]`, never usage. */
export const endlessStream: FakeHandler = (): FakeReply => ({
  write(response) {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const frames = Buffer.from(streamChunk(50).repeat(64));
    return pump(response, () => frames);
  },
});

/** A JSON completion whose content string never closes. */
export const endlessBody: FakeHandler = (): FakeReply => ({
  write(response) {
    response.writeHead(200, { 'content-type': 'application/json' });
    const filler = Buffer.alloc(64 * 1024, 'a');
    let first = true;
    return pump(response, () => {
      if (!first) return filler;
      first = false;
      return '{"id":"chatcmpl-endless","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"';
    });
  },
});

/** One `data:` line that never ends. */
export const endlessLine: FakeHandler = (): FakeReply => ({
  write(response) {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const filler = Buffer.alloc(64 * 1024, 'a');
    let first = true;
    return pump(response, () => {
      if (!first) return filler;
      first = false;
      return 'data: {"id":"chatcmpl-endless","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"';
    });
  },
});

/** A well-formed JSON completion of about `megabytes` MB (200 by default): one huge content string. */
export function hugeBody(megabytes = 200): FakeHandler {
  return (): FakeReply => ({
    write(response) {
      response.writeHead(200, { 'content-type': 'application/json' });
      const filler = Buffer.alloc(1024 * 1024, 'a');
      let sent = -1;
      return pump(response, () => {
        sent++;
        if (sent === 0) return '{"id":"chatcmpl-huge","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"';
        if (sent <= megabytes) return filler;
        if (sent === megabytes + 1) return '"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":10,"total_tokens":20}}';
        return undefined;
      });
    },
  });
}

export interface HostileUpstream {
  name: string;
  stream: boolean;
  handler: FakeHandler;
}

export const HOSTILE_UPSTREAMS: HostileUpstream[] = [
  { name: 'endless stream without usage', stream: true, handler: endlessStream },
  { name: 'endless JSON body', stream: false, handler: endlessBody },
  { name: 'one endless SSE line', stream: true, handler: endlessLine },
  { name: '200 MB JSON body', stream: false, handler: hugeBody(200) },
];
