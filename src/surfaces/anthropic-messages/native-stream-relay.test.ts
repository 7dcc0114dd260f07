/**
 * The same-protocol relay, fed the events of a real AnthropicProvider stream from a fake
 * Anthropic server replaying recorded shapes, and read by @anthropic-ai/sdk's own accumulator.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicProvider } from '../../providers/anthropic/anthropic-provider.js';
import { parseFrames, sdkReplaying } from '../../testing/anthropic-sdk-replay.js';
import { FakeUpstream } from '../../testing/fake-upstream.js';
import { NativeStreamRelay } from './native-stream-relay.js';

const fixtureText = (name: string) => readFileSync(new URL(`../../providers/anthropic/__fixtures__/${name}`, import.meta.url), 'utf8');

let upstream: FakeUpstream;
let provider: AnthropicProvider;
beforeAll(async () => {
  upstream = await FakeUpstream.start(() => ({ raw: fixtureText('anthropic-thinking.chunks.txt'), headers: { 'content-type': 'text/event-stream' } }));
  provider = new AnthropicProvider({ id: 'sonnet#0', provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', baseUrl: upstream.url, apiKey: 'sk-ant-test' });
});
afterAll(() => upstream.close());

/** Streams a recorded fixture through the provider and the relay; returns the client's text and the relay. */
async function relayFixture(name: string): Promise<{ text: string; relay: NativeStreamRelay }> {
  upstream.setHandler(() => ({ raw: fixtureText(name), headers: { 'content-type': 'text/event-stream' } }));
  const stream = await provider.streamMessage({ model: 'sonnet', max_tokens: 2048, messages: [{ role: 'user', content: 'Hi' }] }, { timeouts: { connectMs: 1000, firstTokenMs: 1000, totalMs: 3000 } });
  const relay = new NativeStreamRelay('my-sonnet');
  let text = '';
  for await (const event of stream.events()) text += relay.relay(event);
  return { text, relay };
}

describe('NativeStreamRelay', () => {
  it('passes every event through byte for byte except the model name in message_start', async () => {
    const { text } = await relayFixture('anthropic-claude-code-turn.chunks.txt');
    const sent = text.split('\n\n').filter(Boolean);
    const recorded = fixtureText('anthropic-claude-code-turn.chunks.txt').split('\n\n').filter(Boolean);
    expect(sent.slice(1)).toEqual(recorded.slice(1));
    const start = parseFrames(sent[0]!)[0]!;
    const recordedStart = parseFrames(recorded[0]!)[0]!;
    expect(start).toEqual({ event: 'message_start', data: { ...recordedStart.data, message: { ...recordedStart.data.message, model: 'my-sonnet' } } });
  });

  it('keeps thinking and its signature intact for the Anthropic SDK', async () => {
    const { text } = await relayFixture('anthropic-thinking.chunks.txt');
    const message = await sdkReplaying(text).messages.stream({ model: 'my-sonnet', max_tokens: 2048, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
    expect(message.model).toBe('my-sonnet');
    expect(message.content).toEqual([
      {
        type: 'thinking',
        thinking: 'The user asks for 27 × 453. Let me compute: 27 × 453 = 27 × 400 + 27 × 53 = 10800 + 1431 = 12231.',
        signature: expect.stringMatching(/^EqQBCkgIBxABGAIqQKoF.*6FI=$/),
      },
      { type: 'text', text: '27 × 453 = **12,231**' },
    ]);
  });

  it('gives a Claude Code turn to the SDK with its tool uses, and extracts usage with cache reads and writes for pricing', async () => {
    const { text, relay } = await relayFixture('anthropic-claude-code-turn.chunks.txt');
    const message = await sdkReplaying(text).messages.stream({ model: 'my-sonnet', max_tokens: 2048, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text', 'tool_use', 'tool_use']);
    expect(message.content.slice(2)).toEqual([
      { type: 'tool_use', id: 'toolu_01FhT4ZcVx2EvCDpp3mJ7qYk', name: 'Glob', input: { pattern: 'src/**/*.test.ts' } },
      { type: 'tool_use', id: 'toolu_01Lw9d2CqGmXoRrE8bSUtPzN', name: 'Read', input: { file_path: '/home/dev/project/package.json' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(relay.finished).toBe(true);
    expect(relay.stopReason).toBe('tool_use');
    expect(relay.usage).toMatchObject({ input_tokens: 3, cache_creation_input_tokens: 1722, cache_read_input_tokens: 14683, output_tokens: 168 });
    expect(relay.completionUsage).toEqual({
      prompt_tokens: 16408,
      completion_tokens: 168,
      total_tokens: 16576,
      prompt_tokens_details: { cached_tokens: 14683, cache_creation_tokens: 1722 },
    });
  });

  it('takes the input count from message_start when message_delta reports only output tokens', async () => {
    const { relay } = await relayFixture('anthropic-text.chunks.txt');
    expect(relay.completionUsage).toMatchObject({ prompt_tokens: 12, completion_tokens: 12 });
  });

  it('frames an event without a name under the type in its data, and refuses a message_start that is not JSON', () => {
    const relay = new NativeStreamRelay('m');
    expect(relay.relay({ data: '{"type":"ping"}' })).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    expect(() => relay.relay({ event: 'message_start', data: 'not json' })).toThrow(/not a JSON object/);
  });
});

describe('a native stream that stops before message_delta', () => {
  it('estimates the output from the text streamed, so an aborted stream is charged for it (issue 12, finding 4)', () => {
    const relay = new NativeStreamRelay('my-sonnet');
    relay.relay({ event: 'message_start', data: JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [], stop_reason: null, usage: { input_tokens: 12, output_tokens: 1 } } }) });
    const text = 'word '.repeat(40);
    for (let index = 0; index < 100; index++) {
      relay.relay({ event: 'content_block_delta', data: JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }) });
    }
    const usage = relay.completionUsage!;
    expect(relay.outputEstimated).toBe(true);
    expect(usage.prompt_tokens).toBe(12);
    // 20,000 characters streamed: about 4,000–5,000 tokens, not message_start's placeholder 1.
    expect(usage.completion_tokens).toBeGreaterThanOrEqual(4000);
    expect(usage.completion_tokens).toBeLessThanOrEqual(5500);
    relay.relay({ event: 'message_delta', data: JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4000 } }) });
    expect(relay.outputEstimated).toBe(false);
    expect(relay.completionUsage!.completion_tokens).toBe(4000);
  });
});
