import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk, ChatCompletionChunkChoice } from '../../protocol/chat-types.js';
import { ChunkUnmasker, unmaskChunks } from './chunk-unmasker.js';
import { PiiMasker } from './pii-masker.js';
import { PiiScanner } from './pii-scanner.js';
import { StreamUnmasker } from './stream-unmasker.js';

function maskerFor(text: string): PiiMasker {
  const masker = new PiiMasker();
  masker.mask(text, new PiiScanner().scan(text));
  return masker;
}

describe('StreamUnmasker', () => {
  const masker = maskerFor('jane@example.com, (415) 555-2671, and 4111 1111 1111 1111');
  const masked = 'Hi <EMAIL_1>, I will call <PHONE_1> about card <CARD_1> <b>x</b> if x < 3.';
  const unmasked = 'Hi jane@example.com, I will call (415) 555-2671 about card 4111 1111 1111 1111 <b>x</b> if x < 3.';

  it('restores placeholders split at every possible position between two deltas', () => {
    for (let split = 0; split <= masked.length; split++) {
      const unmasker = new StreamUnmasker(masker);
      const out = unmasker.push(masked.slice(0, split)) + unmasker.push(masked.slice(split)) + unmasker.flush();
      expect(out, `split at ${split}`).toBe(unmasked);
    }
  });

  it('restores placeholders when every character is its own delta', () => {
    const unmasker = new StreamUnmasker(masker);
    let out = '';
    for (const character of masked) out += unmasker.push(character);
    expect(out + unmasker.flush()).toBe(unmasked);
  });

  it('holds back only an unfinished placeholder of this request, and nothing else', () => {
    const unmasker = new StreamUnmasker(masker);
    expect(unmasker.push('Hello <EMA')).toBe('Hello ');
    expect(unmasker.holding).toBe(4);
    expect(unmasker.push('IL_1> and <b')).toBe('jane@example.com and <b');
    expect(unmasker.holding).toBe(0);
    expect(unmasker.push('x < ')).toBe('x < ');
    expect(unmasker.push('<SSN_')).toBe('<SSN_'); // no SSN was masked in this request
    expect(unmasker.push('<PHONE_2')).toBe('<PHONE_2'); // nor a second phone
  });

  it('never holds more than one placeholder less a character', () => {
    const unmasker = new StreamUnmasker(masker);
    for (const character of masked) {
      unmasker.push(character);
      expect(unmasker.holding).toBeLessThan(masker.longestPlaceholder);
    }
  });

  it('lets held text out as written when the stream ends inside it', () => {
    const unmasker = new StreamUnmasker(masker);
    expect(unmasker.push('cut off at <EMAIL_')).toBe('cut off at ');
    expect(unmasker.flush()).toBe('<EMAIL_');
  });

  it('passes text through untouched when nothing was masked', () => {
    const unmasker = new StreamUnmasker(new PiiMasker());
    expect(unmasker.push('<EMAIL_')).toBe('<EMAIL_');
  });
});

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk' as const, created: 1, model: 'gpt-4o-mini' };
const chunk = (choices: ChatCompletionChunkChoice[]): ChatCompletionChunk => ({ ...base, choices });

describe('ChunkUnmasker', () => {
  it('unmasks content split across chunks and flushes what it holds with the finishing chunk', () => {
    const unmasker = new ChunkUnmasker(maskerFor('jane@example.com'));
    const out = [
      chunk([{ index: 0, delta: { role: 'assistant', content: 'Mail <EM' }, finish_reason: null }]),
      chunk([{ index: 0, delta: { content: 'AIL_1> now <' }, finish_reason: null }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    ].map((each) => unmasker.transform(each));
    expect(out.map((each) => each.choices[0]!.delta.content)).toEqual(['Mail ', 'jane@example.com now ', '<']);
    expect(out[2]!.choices[0]!.finish_reason).toBe('stop');
  });

  it('unmasks tool-call argument deltas per tool-call index, as JSON string content', () => {
    const masker = maskerFor('jane@example.com and (415) 555-2671 and -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----');
    const unmasker = new ChunkUnmasker(masker);
    const deltas: Array<[number, string]> = [
      [0, '{"to":"<EMA'],
      [1, '{"number":"<PHO'],
      [0, 'IL_1>","key":"<SEC'],
      [1, 'NE_1>"}'],
      [0, 'RET_1>"}'],
    ];
    const argumentsByIndex = new Map<number, string>();
    for (const [index, argumentsDelta] of deltas) {
      const out = unmasker.transform(chunk([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: argumentsDelta } }] }, finish_reason: null }]));
      for (const toolCall of out.choices[0]!.delta.tool_calls ?? []) argumentsByIndex.set(toolCall.index, (argumentsByIndex.get(toolCall.index) ?? '') + (toolCall.function?.arguments ?? ''));
    }
    unmasker.transform(chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]));
    expect(JSON.parse(argumentsByIndex.get(0)!)).toEqual({ to: 'jane@example.com', key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----' });
    expect(JSON.parse(argumentsByIndex.get(1)!)).toEqual({ number: '(415) 555-2671' });
  });

  it('keeps choices apart (n > 1)', () => {
    const unmasker = new ChunkUnmasker(maskerFor('jane@example.com bob@example.org'));
    const first = unmasker.transform(chunk([{ index: 0, delta: { content: 'A <EMAIL_' }, finish_reason: null }, { index: 1, delta: { content: 'B <EMAIL_2' }, finish_reason: null }]));
    const second = unmasker.transform(chunk([{ index: 1, delta: { content: '>' }, finish_reason: null }, { index: 0, delta: { content: '1>' }, finish_reason: null }]));
    expect(first.choices.map((choice) => choice.delta.content)).toEqual(['A ', 'B ']);
    expect(second.choices.map((choice) => choice.delta.content)).toEqual(['bob@example.org', 'jane@example.com']);
  });

  it('returns chunks with nothing to change as the same object, and never edits a chunk in place', () => {
    const unmasker = new ChunkUnmasker(maskerFor('jane@example.com'));
    const plain = chunk([{ index: 0, delta: { content: 'no placeholders here' }, finish_reason: null }]);
    expect(unmasker.transform(plain)).toBe(plain);
    const usage = { ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
    expect(unmasker.transform(usage)).toBe(usage);
    const masked = chunk([{ index: 0, delta: { content: '<EMAIL_1>' }, finish_reason: null }]);
    const out = unmasker.transform(masked);
    expect(out.choices[0]!.delta.content).toBe('jane@example.com');
    expect(masked.choices[0]!.delta.content).toBe('<EMAIL_1>');
  });

  it('hands out what is held when the stream ends without a finish chunk', () => {
    const unmasker = new ChunkUnmasker(maskerFor('jane@example.com'));
    unmasker.transform(chunk([{ index: 0, delta: { content: 'cut <EMAIL' }, finish_reason: null }]));
    expect(unmasker.finish(base)).toEqual([{ ...base, choices: [{ index: 0, delta: { content: '<EMAIL' }, finish_reason: null }] }]);
    expect(unmasker.finish(base)).toEqual([]);
  });
});

describe('unmaskChunks', () => {
  it('transforms an async stream of chunks and sends what is held after a stream cut short', async () => {
    async function* upstream() {
      yield chunk([{ index: 0, delta: { role: 'assistant', content: 'To <EMAIL_1>, cc <EMA' }, finish_reason: null }]);
      yield chunk([{ index: 0, delta: { content: 'IL_1> and <EMAIL' }, finish_reason: null }]);
    }
    const out: ChatCompletionChunk[] = [];
    for await (const each of unmaskChunks(upstream(), maskerFor('jane@example.com'))) out.push(each);
    expect(out.map((each) => each.choices[0]!.delta.content)).toEqual(['To jane@example.com, cc ', 'jane@example.com and ', '<EMAIL']);
  });
});
