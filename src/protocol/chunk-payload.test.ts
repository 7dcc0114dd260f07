import { describe, expect, it } from 'vitest';
import { chunkWithUsage, isErrorPayload, textOfPayloads, withoutNullUsage } from './chunk-payload.js';

const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };

describe('reading stream chunks without parsing them', () => {
  it('finds the usage chunk in compact and spaced JSON', () => {
    expect(chunkWithUsage(JSON.stringify({ id: 'c', choices: [], usage }))?.usage).toEqual(usage);
    expect(chunkWithUsage(`{"id": "c", "choices": [], "usage" :  ${JSON.stringify(usage)}}`)?.usage).toEqual(usage);
  });

  it('ignores null usage, and "usage" as a string value or inside content', () => {
    expect(chunkWithUsage('{"id":"c","choices":[],"usage":null}')).toBeUndefined();
    expect(chunkWithUsage(JSON.stringify({ choices: [{ delta: { content: 'usage' } }] }))).toBeUndefined();
    expect(chunkWithUsage(JSON.stringify({ choices: [{ delta: { content: '"usage":{"x":1}' } }] }))).toBeUndefined();
  });

  it('strips the null usage the gateway asked the upstream for', () => {
    expect(withoutNullUsage('{"id":"c","choices":[],"usage":null}')).toBe('{"id":"c","choices":[]}');
    expect(withoutNullUsage('{"id":"c","choices":[]}')).toBe('{"id":"c","choices":[]}');
  });

  it('tells error events from chunks that mention errors', () => {
    expect(isErrorPayload('{"error":{"message":"overloaded","type":"server_error"}}')).toBe(true);
    expect(isErrorPayload(JSON.stringify({ choices: [{ delta: { content: 'an "error" here' } }] }))).toBe(false);
    expect(isErrorPayload('{"id":"c","error":null,"choices":[]}')).toBe(false);
  });

  it('collects content and tool-call text for counting tokens', () => {
    const payloads = [
      JSON.stringify({ choices: [{ delta: { content: 'Hel' } }] }),
      JSON.stringify({ choices: [{ delta: { content: 'lo' } }] }),
      JSON.stringify({ choices: [{ delta: { tool_calls: [{ index: 0, function: { name: 'f', arguments: '{}' } }] } }] }),
      'not json',
    ];
    expect(textOfPayloads(payloads)).toBe('Hellof{}');
  });
});
