import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnthropicResponse } from './anthropic-types.js';
import { mapAnthropicResponse } from './response-mapping.js';

const CREATED = 1_760_000_000;

function fixture(name: string): AnthropicResponse {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')) as AnthropicResponse;
}

describe('mapAnthropicResponse', () => {
  it('maps a text message to a completion with OpenAI usage', () => {
    expect(mapAnthropicResponse(fixture('anthropic-text.json'), { created: CREATED, jsonMode: false })).toEqual({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      object: 'chat.completion',
      created: CREATED,
      model: 'claude-3-5-haiku-20241022',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?' }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 12, completion_tokens: 12, total_tokens: 24, prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 } },
    });
  });

  it('maps text and tool_use blocks to content and tool_calls with JSON-string arguments', () => {
    const completion = mapAnthropicResponse(fixture('anthropic-tool-call.json'), { created: CREATED, jsonMode: false });
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: "I'll check the current weather in San Francisco for you.",
          tool_calls: [{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } }],
        },
        finish_reason: 'tool_calls',
        logprobs: null,
      },
    ]);
  });

  it('keeps thinking as reasoning_content and the signed and redacted blocks as thinking_blocks', () => {
    const message = fixture('anthropic-thinking.json');
    const completion = mapAnthropicResponse(message, { created: CREATED, jsonMode: false });
    expect(completion.choices[0]!.message).toEqual({
      role: 'assistant',
      content: '27 × 453 = **12,231**',
      reasoning_content: 'The user asks for 27 × 453. 27 × 400 = 10800 and 27 × 53 = 1431, so 12231.',
      thinking_blocks: [message.content[0], message.content[1]],
    });
  });

  it('adds cache reads and cache writes back into prompt_tokens and reports them apart', () => {
    const { usage } = mapAnthropicResponse(fixture('anthropic-prompt-cache.json'), { created: CREATED, jsonMode: false });
    expect(usage).toEqual({
      prompt_tokens: 21 + 188 + 1800,
      completion_tokens: 25,
      total_tokens: 21 + 188 + 1800 + 25,
      prompt_tokens_details: { cached_tokens: 1800, cache_creation_tokens: 188 },
    });
  });

  it('returns the forced json_tool_call input as the content in JSON mode', () => {
    const completion = mapAnthropicResponse(fixture('anthropic-json-tool.json'), { created: CREATED, jsonMode: true });
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: '{"city":"Paris","population":2102650}' },
      finish_reason: 'stop',
      logprobs: null,
    });
  });

  it('maps a refusal to finish_reason content_filter', () => {
    const completion = mapAnthropicResponse(fixture('anthropic-refusal.json'), { created: CREATED, jsonMode: false });
    expect(completion.choices[0]?.finish_reason).toBe('content_filter');
    expect(completion.choices[0]?.message.content).toBe('');
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
  ])('maps stop_reason %s to finish_reason %s', (stopReason, finishReason) => {
    const message = { ...fixture('anthropic-text.json'), stop_reason: stopReason };
    expect(mapAnthropicResponse(message, { created: CREATED, jsonMode: false }).choices[0]?.finish_reason).toBe(finishReason);
  });
});
