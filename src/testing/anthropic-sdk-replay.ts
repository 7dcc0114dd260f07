/**
 * Test helper: an `@anthropic-ai/sdk` client whose every request is answered with the given text,
 * so encoder output is read by the SDK's own SSE parser and message accumulator.
 */
import Anthropic from '@anthropic-ai/sdk';

export function sdkReplaying(body: string, contentType = 'text/event-stream'): Anthropic {
  return new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: 'http://sdk-replay.invalid',
    maxRetries: 0,
    fetch: async () => new Response(body, { headers: { 'content-type': contentType } }),
  });
}

/** Splits SSE frame text into its events, `{ event, data }` with `data` parsed. */
export function parseFrames(text: string): Array<{ event: string; data: any }> {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const lines = frame.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))!.slice('event: '.length);
      const data = lines.filter((line) => line.startsWith('data: ')).map((line) => line.slice('data: '.length)).join('\n');
      return { event, data: JSON.parse(data) };
    });
}
