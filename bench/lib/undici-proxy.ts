/**
 * The floor a Node gateway can reach: a bare pass-through proxy on node:http and undici, with
 * no parsing, validation, routing, cost or logging. The benchmark can run it as the `undici`
 * target so Switchboard's overhead is read against what Node itself costs on this machine.
 *
 *   node --import tsx bench/lib/undici-proxy.ts --port P --upstream http://127.0.0.1:F
 */
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

export function startUndiciProxy(port: number, upstream: string) {
  const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 30_000, pipelining: 1 });
  const server = createServer({ keepAliveTimeout: 65_000 }, (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      request(`${upstream}${incoming.url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: incoming.headers.authorization ?? '' },
        body: Buffer.concat(chunks),
        dispatcher,
      }).then(
        async (response) => {
          outgoing.writeHead(response.statusCode, { 'content-type': String(response.headers['content-type'] ?? 'application/json') });
          for await (const chunk of response.body) outgoing.write(chunk);
          outgoing.end();
        },
        () => {
          outgoing.writeHead(502).end();
        },
      );
    });
  });
  server.listen(port, '127.0.0.1');
  return server;
}

if (process.argv[1]?.endsWith('undici-proxy.ts')) {
  const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
  const upstream = process.argv[process.argv.indexOf('--upstream') + 1]!;
  startUndiciProxy(port, upstream);
  process.on('SIGTERM', () => process.exit(0));
}
