/**
 * A fast fake OpenAI upstream for the benchmark. It is a bare `net` server that speaks just
 * enough HTTP/1.1 (keep-alive, content-length or chunked request bodies) and answers every
 * `POST …/chat/completions` with a prebuilt response (the realistic workload's under `/full/v1/…`,
 * bench/lib/workloads.ts), so it costs a few µs of CPU per request:
 * it shares the two cores with the load generator and the proxy under test, and every µs it
 * spends is taken from them.
 *
 * Streams are 20 content chunks, a usage chunk and `[DONE]`, sent chunked in two writes: the
 * head with the first chunk at once, the rest on the next turn of the event loop, so the proxy
 * sees a first token before the rest (what time to first token measures) without the fake
 * adding timers.
 *
 * Run as its own process: `node --import tsx bench/lib/fake-upstream.ts --port 0` prints
 * `listening <port>`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { REALISTIC_COMPLETION, REALISTIC_PREFIX, ROUTED_COMPLETION, streamEvents, type Workload } from './workloads.js';

export { STREAM_CONTENT_CHUNKS } from './workloads.js';

function httpChunk(text: string): string {
  return `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
}

interface Answers {
  json: Buffer;
  streamHead: Buffer;
  streamRest: Buffer;
}

function answersFor(workload: Workload): Answers {
  const completion = workload === 'realistic' ? REALISTIC_COMPLETION : ROUTED_COMPLETION;
  const events = streamEvents(workload);
  return {
    json: Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(completion)}\r\nconnection: keep-alive\r\n\r\n${completion}`),
    streamHead: Buffer.from(
      `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n${httpChunk(events[0]!)}`,
    ),
    streamRest: Buffer.from(`${events.slice(1).map(httpChunk).join('')}0\r\n\r\n`),
  };
}

const ROUTED = answersFor('routed');
const REALISTIC = answersFor('realistic');
const REALISTIC_REQUEST_LINE = `POST ${REALISTIC_PREFIX}/`;
const NOT_FOUND_BODY = '{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}';
const NOT_FOUND = Buffer.from(`HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: ${NOT_FOUND_BODY.length}\r\n\r\n${NOT_FOUND_BODY}`);
/** OTLP/HTTP trace exports (the bench's `telemetry-on` target): accepted and dropped. */
const TRACES_ACCEPTED = Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');
const STREAM_FLAG = Buffer.from('"stream":true');

/** Serves one connection: parses requests one after another and answers each in order. */
function serveConnection(socket: Socket): void {
  socket.setNoDelay(true);
  let buffer: Buffer = Buffer.alloc(0);
  let busy = false;

  const drain = (): void => {
    while (!busy) {
      const headerEnd = buffer.indexOf(HEADER_END);
      if (headerEnd === -1) return;
      const head = buffer.toString('latin1', 0, headerEnd);
      const bodyStart = headerEnd + 4;
      let bodyEnd: number;
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (length) {
        bodyEnd = bodyStart + Number(length[1]);
        if (buffer.length < bodyEnd) return;
      } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
        const end = buffer.indexOf(CHUNKED_END, bodyStart);
        if (end === -1) return;
        bodyEnd = end + CHUNKED_END.length;
      } else {
        bodyEnd = bodyStart;
      }
      const body = buffer.subarray(bodyStart, bodyEnd);
      const isChat = head.startsWith('POST ') && head.slice(0, head.indexOf('\r\n')).includes('/chat/completions');
      const streamed = isChat && body.indexOf(STREAM_FLAG) !== -1;
      buffer = buffer.subarray(bodyEnd);
      const answers = head.startsWith(REALISTIC_REQUEST_LINE) ? REALISTIC : ROUTED;
      if (!isChat) {
        socket.write(head.startsWith('POST /v1/traces ') ? TRACES_ACCEPTED : NOT_FOUND);
      } else if (!streamed) {
        socket.write(answers.json);
      } else {
        busy = true;
        socket.write(answers.streamHead);
        setImmediate(() => {
          busy = false;
          if (!socket.destroyed) socket.write(answers.streamRest);
          drain();
        });
      }
    }
  };

  socket.on('data', (data: Buffer) => {
    buffer = buffer.length === 0 ? data : Buffer.concat([buffer, data]);
    drain();
  });
  socket.on('error', () => socket.destroy());
}

export function startFakeUpstream(port = 0, host = '127.0.0.1'): Promise<{ server: Server; port: number }> {
  const server = createServer({ noDelay: true }, serveConnection);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const portIndex = process.argv.indexOf('--port');
  const port = portIndex === -1 ? 0 : Number(process.argv[portIndex + 1]);
  const { port: bound } = await startFakeUpstream(port);
  process.stdout.write(`listening ${bound}\n`);
  process.on('SIGTERM', () => process.exit(0));
}
