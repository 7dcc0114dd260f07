import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServeProcess } from '../../testing/cli-process.js';
import { FakeUpstream } from '../../testing/fake-upstream.js';
import { healthy } from '../../testing/faults.js';
import { ADMIN_KEY } from '../../testing/governance-test-helpers.js';
import { parsePrometheusText, sumOf } from '../../testing/prometheus-text.js';

/** One request on its own connection, so the cluster's round robin spreads them over workers. */
function send(url: string, method: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
    const outgoing = httpRequest(url, { method, agent: false, headers }, (response) => {
      let received = '';
      response.on('data', (chunk: Buffer) => (received += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: received }));
    });
    outgoing.on('error', reject);
    outgoing.end(text);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('serve --workers 2: one scrape sums every worker', () => {
  let upstream: FakeUpstream;
  let directory: string;

  beforeAll(async () => {
    upstream = await FakeUpstream.start(healthy);
    directory = mkdtempSync(join(tmpdir(), 'switchboard-metrics-cluster-'));
  });

  afterAll(async () => {
    await upstream.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('counts on /metrics and on metrics.port equal the requests sent, whichever worker answers the scrape', async () => {
    const metricsPort = await freePort();
    const configPath = join(directory, 'switchboard.yaml');
    writeFileSync(
      configPath,
      [
        'server: { port: 0 }',
        `storage: { url: "sqlite://${join(directory, 'log.db')}" }`,
        `admin_key: ${ADMIN_KEY}`,
        `metrics: { port: ${metricsPort} }`,
        'logging: { level: warn }',
        'models:',
        '  - name: gpt-4o-mini',
        '    provider: openai-compatible',
        `    base_url: ${upstream.url}/v1`,
        '    api_key: sk-test',
        '',
      ].join('\n'),
    );
    const served = await startServeProcess(['--config', configPath, '--workers', '2']);
    try {
      // The first worker prints the banner; the primary names both once the second listens too.
      while (!/Workers: 2/.test(served.stdout())) await new Promise((resolve) => setTimeout(resolve, 50));
      const pids = new Set<number>();
      for (let index = 0; index < 8; index++) pids.add(JSON.parse((await send(`${served.url}/api/metrics`, 'GET')).text).pid);
      expect(pids.size).toBe(2);

      const requests = 40;
      const results = await Promise.all(
        Array.from({ length: requests }, (_, index) =>
          send(`${served.url}/v1/chat/completions`, 'POST', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hello ${index}` }], stream: index % 4 === 0 }),
        ),
      );
      expect(results.map((result) => result.status)).toEqual(Array(requests).fill(200));

      // Several scrapes land on both workers; each reports the whole cluster.
      for (let scrape = 0; scrape < 4; scrape++) {
        const response = await send(`${served.url}/metrics`, 'GET');
        expect(response.status).toBe(200);
        const samples = parsePrometheusText(response.text);
        expect(sumOf(samples, 'switchboard_requests_total', { model: 'gpt-4o-mini', status: '200' })).toBe(requests);
        expect(sumOf(samples, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_request_model: 'gpt-4o-mini' })).toBe(requests);
        expect(sumOf(samples, 'switchboard_deployment_state', { deployment: 'gpt-4o-mini#0', state: 'healthy' })).toBe(2);
      }
      const apart = await send(`http://127.0.0.1:${metricsPort}/metrics`, 'GET');
      expect(apart.status).toBe(200);
      expect(sumOf(parsePrometheusText(apart.text), 'switchboard_requests_total', { model: 'gpt-4o-mini' })).toBe(requests);
      const refused = await new Promise<number>((resolve, reject) =>
        httpRequest(`http://127.0.0.1:${metricsPort}/metrics`, { agent: false }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
          .on('error', reject)
          .end(),
      );
      expect(refused).toBe(401);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  }, 90_000);
});
