/**
 * Issue 12, finding 15: a client that sends its body slowly is cut off after
 * `server.request_timeout_ms` (Node's default was 300 s), and open connections are capped at
 * `server.max_connections`.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { healthy } from '../testing/faults.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';

let upstream: FakeUpstream;
let gateway: TestGateway;
let port: number;

beforeAll(async () => {
  upstream = await FakeUpstream.start(healthy);
  gateway = await startTestGateway({
    server: { request_timeout_ms: 1000, headers_timeout_ms: 1000, max_connections: 4 },
    models: [{ name: 'gpt-4o-mini', provider: 'openai', base_url: `${upstream.url}/v1` }],
  });
  port = Number(new URL(gateway.url).port);
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server writes until it closes the socket. */
function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', () => {});
    socket.once('close', () => resolve(received));
  });
}

it('disconnects a client that sends its body too slowly, with a 408', async () => {
  const socket = await open();
  const closed = readUntilClosed(socket);
  const started = performance.now();
  socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":');
  // A byte every 200 ms: never idle long, never done.
  const drip = setInterval(() => socket.writable && socket.write(' '), 200);
  const received = await closed;
  clearInterval(drip);
  expect(received).toMatch(/^HTTP\/1\.1 408/);
  // Generous: the check runs every second, on a shared machine.
  expect(performance.now() - started).toBeLessThan(10_000);
}, 20_000);

it('closes connections past max_connections at once, and serves again once one is freed', async () => {
  const held = await Promise.all(Array.from({ length: 4 }, () => open()));
  // Let the server count them.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const extra = await open();
  const refused = await readUntilClosed(extra);
  expect(refused).toBe('');
  held[0]!.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const response = await fetch(`${gateway.url}/health`, { headers: { connection: 'close' } });
  expect(response.status).toBe(200);
  for (const socket of held) socket.destroy();
});
