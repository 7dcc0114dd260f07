/**
 * The SSE byte bounds (limits.upstream_event_bytes, upstream_stream_bytes) hold on both stream
 * readers: the OpenAI-format relay and the parser the Anthropic and Gemini mappers use. Small
 * limits keep the floods short.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../anthropic/anthropic-provider.js';
import { OpenAICompatibleProvider } from '../openai-compatible/openai-compatible-provider.js';
import type { ChatProvider } from '../provider.js';
import { FakeUpstream, type FakeReply } from '../../testing/fake-upstream.js';
import { endlessLine, endlessStream } from '../../testing/hostile-upstreams.js';
import type { UpstreamLimits } from './upstream-limits.js';

const LIMITS: UpstreamLimits = { bodyBytes: 64 * 1024, embeddingsBodyBytes: 64 * 1024, eventBytes: 32 * 1024, streamBytes: 1024 * 1024 };
const TIMEOUTS = { connectMs: 1000, firstTokenMs: 5000, totalMs: 20_000 };

/** One event that never completes: `data:` lines of 100 bytes, never a blank line. */
const endlessEvent = (): FakeReply => ({
  async write(response: ServerResponse) {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const lines = `data: ${'x'.repeat(93)}\n`.repeat(100);
    while (!response.destroyed) {
      if (!response.write(lines)) await new Promise((resolve) => response.once('drain', resolve).once('close', resolve));
    }
  },
});

let upstream: FakeUpstream;
let providers: Record<string, ChatProvider>;

beforeAll(async () => {
  upstream = await FakeUpstream.start(endlessStream);
  providers = {
    'OpenAI-format relay': new OpenAICompatibleProvider({ id: 'o#0', provider: 'openai-compatible', model: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1` }),
    'Anthropic stream parser': new AnthropicProvider({ id: 'a#0', provider: 'anthropic', model: 'claude-sonnet-4-5', baseUrl: upstream.url, apiKey: 'sk-ant-test' }),
  };
});
afterAll(() => upstream.close());

/** Streams to the end; returns the error it ended with. */
async function failureOf(provider: ChatProvider): Promise<{ code?: string | null; message: string }> {
  try {
    const stream = await provider.streamChat({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true }, { timeouts: TIMEOUTS, limits: LIMITS });
    for await (const chunk of stream as AsyncIterable<unknown>) void chunk;
  } catch (error) {
    return error as { code?: string | null; message: string };
  }
  throw new Error('the stream ended without an error');
}

for (const name of ['OpenAI-format relay', 'Anthropic stream parser']) {
  describe(name, () => {
    it('fails one line that never ends at the event bound', async () => {
      upstream.setHandler(endlessLine);
      const failure = await failureOf(providers[name]!);
      expect(failure.code).toBe('upstream_response_too_large');
      expect(failure.message).toMatch(/one stream line or event larger than .* 32768 bytes/);
    });

    it('fails one event of endless short lines at the event bound', async () => {
      upstream.setHandler(endlessEvent);
      const failure = await failureOf(providers[name]!);
      expect(failure.code).toBe('upstream_response_too_large');
      expect(failure.message).toMatch(/32768 bytes/);
    });
  });
}

it('fails a stream of good chunks that never ends at the stream bound (OpenAI-format relay)', async () => {
  upstream.setHandler(endlessStream);
  const failure = await failureOf(providers['OpenAI-format relay']!);
  expect(failure.code).toBe('upstream_response_too_large');
  expect(failure.message).toMatch(/a stream larger than .* 1048576 bytes/);
});
