/**
 * `GET /metrics` in the Prometheus text format. Authentication treats it as an admin path: with
 * an admin key set it needs that key (Prometheus: `authorization: { credentials: … }`), and a
 * virtual key is refused. `metrics.port` serves the same text on a port of its own.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { NotFoundError } from '../../errors/index.js';
import { bearerToken, digest } from '../../governance/keys/authenticate.js';
import type { Gateway } from '../../server/gateway.js';
import type { RequestContext } from '../../server/request-context.js';

export async function handleMetrics(gateway: Gateway, context: RequestContext): Promise<void> {
  const metrics = gateway.metrics;
  if (!metrics) throw new NotFoundError('Metrics are off (metrics.enabled: false in the config).');
  const text = await metrics.text();
  context.response.writeHead(200, { ...context.headers, 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
  context.response.end(text);
}

export interface MetricsPortOptions {
  port: number;
  host: string;
  /** Digest of the admin key, when one is set: the port then needs it too. */
  adminKeyDigest: Buffer | undefined;
  text: () => Promise<string>;
  contentType: string;
  onError: (error: unknown) => void;
}

/** A server that answers `GET /metrics` and nothing else. */
export function serveMetricsPort(options: MetricsPortOptions): Promise<{ server: Server; address: AddressInfo }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const reply = (status: number, message: string) => {
      const body = JSON.stringify({ error: { message, type: status === 401 ? 'authentication_error' : 'invalid_request_error', param: null, code: status === 401 ? 'invalid_api_key' : 'not_found' } });
      response.writeHead(status, { 'content-type': 'application/json' }).end(body);
    };
    if (request.method !== 'GET' || path !== '/metrics') return reply(404, 'Only GET /metrics is served on this port.');
    const token = bearerToken(request.headers);
    if (options.adminKeyDigest && !(token && timingSafeEqual(digest(token), options.adminKeyDigest))) return reply(401, 'This endpoint needs the admin key.');
    options.text().then(
      (text) => response.writeHead(200, { 'content-type': options.contentType }).end(text),
      (error: unknown) => {
        options.onError(error);
        const body = JSON.stringify({ error: { message: 'Metrics could not be collected.', type: 'server_error', param: null, code: 'internal_error' } });
        response.writeHead(500, { 'content-type': 'application/json' }).end(body);
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve({ server, address: server.address() as AddressInfo });
    });
  });
}
