/**
 * Issue 12, finding 8: an upstream that echoes the `authorization` header must not put the
 * upstream API key — or any configured secret — into the client's error, the request log, or
 * the process log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { APIError } from 'openai';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGGER_OPTIONS } from '../logging/logger.js';
import { FakeUpstream } from '../testing/fake-upstream.js';
import { openAIError } from '../testing/openai-replies.js';
import { ADMIN_KEY, clientFor, createKey } from '../testing/governance-test-helpers.js';
import { startTestGateway, type TestGateway } from '../testing/test-gateway.js';
import { registerSecrets, scrubSecrets } from './secret-scrubber.js';

const UPSTREAM_KEY = 'upstream-provider-key-Zx81kQ2mWv';
const HEADER_TOKEN = 'team-header-token-5k2LmQp9';

describe('scrubSecrets', () => {
  it('replaces configured secrets and credential-shaped tokens, and leaves ordinary text alone', () => {
    registerSecrets(['configured-secret-value-123']);
    expect(scrubSecrets('key configured-secret-value-123 leaked')).toBe('key [redacted] leaked');
    expect(scrubSecrets('Authorization: Bearer abc.def-ghi_jkl012')).not.toContain('abc.def-ghi_jkl012');
    expect(scrubSecrets('Incorrect API key provided: sk-proj-AbCdEf0123456789xyz')).toBe('Incorrect API key provided: [redacted]');
    expect(scrubSecrets('sk-ant-api03-AbCdEf0123456789xyzXYZ and sk-sb-0123456789abcdef0123')).toBe('[redacted] and [redacted]');
    expect(scrubSecrets('key=AIzaSyA1234567890abcdefghijklmnopqrstu')).not.toContain('AIzaSy');
    expect(scrubSecrets('{"api_key": "hunter2hunter2"}')).toBe('{"api_key": "[redacted]"}');
    expect(scrubSecrets('The model `gpt-4o` does not exist; max_tokens is too large: 10000.')).toBe('The model `gpt-4o` does not exist; max_tokens is too large: 10000.');
  });

  it('keeps secrets out of the process log', () => {
    registerSecrets([UPSTREAM_KEY]);
    let output = '';
    const logger = pino(LOGGER_OPTIONS, new Writable({ write: (chunk, _encoding, done) => ((output += chunk), done()) }));
    logger.error({ err: new Error(`upstream said Bearer ${UPSTREAM_KEY}`) }, `call failed with ${UPSTREAM_KEY}`);
    expect(output).toContain('call failed with [redacted]');
    expect(output).not.toContain(UPSTREAM_KEY);
  });
});

describe('an upstream that echoes the authorization header', () => {
  let upstream: FakeUpstream;
  let gateway: TestGateway;
  let directory: string;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'switchboard-scrub-'));
    upstream = await FakeUpstream.start((request) => {
      const echoed = `${request.headers.authorization} x-team=${request.headers['x-team-token']}`;
      if (request.body?.stream) {
        const chunk = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'partial answer' }, finish_reason: null }] };
        return { sse: [JSON.stringify(chunk), JSON.stringify({ error: { message: `Stream failed for ${echoed}`, type: 'server_error' } })] };
      }
      if (request.body?.messages?.[0]?.content === 'server') return openAIError(500, `Internal error for ${echoed}`, 'server_error', null);
      return openAIError(401, `Incorrect API key provided: ${echoed}`, 'invalid_request_error', 'invalid_api_key');
    });
    gateway = await startTestGateway({
      admin_key: ADMIN_KEY,
      storage: { url: `sqlite://${join(directory, 'switchboard.db')}`, log_bodies: true, flush_interval_ms: 20 },
      retry: { attempts: 2, backoff_ms: 1 },
      models: [{ name: 'echo', provider: 'openai-compatible', base_url: `${upstream.url}/v1`, api_key: UPSTREAM_KEY, headers: { 'x-team-token': HEADER_TOKEN }, price: { input: 1, output: 1 } }],
    }, { directory });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('relays the error without the key, and logs no row holding it', async () => {
    const { key } = await createKey(gateway.url, { name: 'caller' });
    const client = clientFor(gateway.url, key);
    for (const content of ['client', 'server']) {
      const failure = await client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content }] }).catch((error: APIError) => error);
      expect(failure).toBeInstanceOf(APIError);
      const text = JSON.stringify((failure as APIError).error);
      expect(text).toContain('[redacted]');
      for (const secret of [UPSTREAM_KEY, HEADER_TOKEN, key, ADMIN_KEY]) expect(text).not.toContain(secret);
    }
    // The upstream really did echo it: the test would pass vacuously otherwise.
    expect(upstream.requests[0]!.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    await gateway.gateway.logWriter.flush();
    const database = new Database(gateway.databasePath, { readonly: true });
    try {
      const rows = database.prepare('SELECT * FROM request_log').all();
      expect(rows.length).toBeGreaterThanOrEqual(2);
      const stored = JSON.stringify(rows);
      expect(stored).toContain('[redacted]');
      for (const secret of [UPSTREAM_KEY, HEADER_TOKEN, key, ADMIN_KEY]) expect(stored).not.toContain(secret);
    } finally {
      database.close();
    }
  });

  it('does not pass an upstream stream error event through verbatim, even to a client that asked for the raw stream', async () => {
    const { key } = await createKey(gateway.url, { name: 'streamer' });
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      // include_usage: the gateway relays the upstream's bytes as they come.
      body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'stream' }], stream: true, stream_options: { include_usage: true } }),
    });
    const text = await response.text();
    expect(text).toContain('partial answer');
    expect(text).toContain('[redacted]');
    for (const secret of [UPSTREAM_KEY, HEADER_TOKEN]) expect(text).not.toContain(secret);
  });
});
