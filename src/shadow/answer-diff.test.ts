import { describe, expect, it } from 'vitest';
import { parseWinner } from '../judge/judge-prompt.js';
import { diffAnswers } from './answer-diff.js';

describe('the cheap diff of two answers', () => {
  it('calls answers equal after trimming, and measures length and word overlap', () => {
    expect(diffAnswers('  Paris is the capital. ', 'Paris is the capital.')).toEqual({ exact_match: true, length_ratio: 1, token_similarity: 1 });
    const diff = diffAnswers('The answer is 42', 'The answer is forty-two, of course');
    expect(diff.exact_match).toBe(false);
    expect(diff.length_ratio).toBeCloseTo(16 / 34, 4);
    // Words: [the answer is 42] and [the answer is forty two of course]: 3 shared of 4 + 7.
    expect(diff.token_similarity).toBeCloseTo((2 * 3) / 11, 4);
    expect(diff.json).toBeUndefined();
  });

  it('diffs JSON answers by structure, fenced or not', () => {
    const diff = diffAnswers('```json\n{"items": [1, 2], "name": "a"}\n```', '{"items": [1, 3, 4], "name": null, "extra key": true}');
    expect(diff.json).toEqual({
      equal: false,
      truncated: false,
      differences: [
        { path: '$.items[1]', kind: 'value' },
        { path: '$.items[2]', kind: 'strong_only' },
        { path: '$.name', kind: 'type' },
        { path: '$["extra key"]', kind: 'strong_only' },
      ],
    });
    expect(diffAnswers('{"a": 1}', '{ "a": 1 }').json).toEqual({ equal: true, truncated: false, differences: [] });
    expect(diffAnswers('{"a": 1}', 'not JSON').json).toBeUndefined();
  });

  it('reads the judge\'s verdict only from the JSON asked for', () => {
    expect(parseWinner('{"winner": "2"}')).toBe('2');
    expect(parseWinner('```json\n{"winner": "tie"}\n```')).toBe('tie');
    expect(parseWinner('{"winner": 1}')).toBeUndefined();
    expect(parseWinner('Answer 1 is better')).toBeUndefined();
  });
});
