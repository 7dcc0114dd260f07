import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GeminiResponse } from './gemini-types.js';
import { mapGeminiResponse } from './response-mapping.js';

const CREATED = 1_760_000_000;
const context = { created: CREATED, model: 'gemini-2.5-flash', createId: () => 'call_test1' };

function fixture(name: string): GeminiResponse {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')) as GeminiResponse;
}

describe('mapGeminiResponse', () => {
  it('maps a text response, counting thinking tokens as completion tokens', () => {
    expect(mapGeminiResponse(fixture('gemini-text.json'), context)).toEqual({
      id: 'YH6LaZT7ENmPxN8P-r2J8Aw',
      object: 'chat.completion',
      created: CREATED,
      model: 'gemini-2.5-flash',
      choices: [{ index: 0, message: { role: 'assistant', content: 'There are **3** "r"s in strawberry.' }, finish_reason: 'stop', logprobs: null }],
      usage: {
        prompt_tokens: 9,
        completion_tokens: 12 + 282,
        total_tokens: 303,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 282 },
      },
    });
  });

  it('reports cached content tokens inside prompt_tokens, as OpenAI does', () => {
    expect(mapGeminiResponse(fixture('gemini-cached-content.json'), context).usage).toEqual({
      prompt_tokens: 4207,
      completion_tokens: 16 + 45,
      total_tokens: 4268,
      prompt_tokens_details: { cached_tokens: 4096 },
      completion_tokens_details: { reasoning_tokens: 45 },
    });
  });

  it('maps functionCall parts to tool_calls with generated ids, keeping the thought signature', () => {
    expect(mapGeminiResponse(fixture('gemini-tool-call.json'), context).choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_test1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"location":"San Francisco"}' },
              extra_content: { google: { thought_signature: 'CskgAb4+9vtF7/499YQS2bjZs3xcQI+iAl+ILn29nK1j0Kg6su7QsUUUk3nrAAfnS2w5WiVvlcCqu9fAebJ2cvfaEyBahEt5' } },
            },
          ],
        },
        finish_reason: 'tool_calls',
        logprobs: null,
      },
    ]);
  });

  it('answers a blocked prompt with an empty content_filter choice', () => {
    const completion = mapGeminiResponse(fixture('gemini-prompt-blocked.json'), context);
    expect(completion.choices).toEqual([{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter', logprobs: null }]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 0 });
  });

  it.each([
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['BLOCKLIST', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['OTHER', 'stop'],
  ])('maps finishReason %s to %s', (finishReason, expected) => {
    const response = fixture('gemini-text.json');
    response.candidates![0]!.finishReason = finishReason;
    expect(mapGeminiResponse(response, context).choices[0]!.finish_reason).toBe(expected);
  });

  it('leaves thought-summary parts out of the content', () => {
    const response = fixture('gemini-text.json');
    response.candidates![0]!.content!.parts = [{ text: 'Let me count…', thought: true }, { text: 'Three.' }];
    expect(mapGeminiResponse(response, context).choices[0]!.message.content).toBe('Three.');
  });
});
