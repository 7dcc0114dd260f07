/**
 * Issue 12, finding 10: a large input is not tokenized on the event loop. Its count is a bound
 * from its UTF-8 size, which budgets can reserve from: it must never be below the true count.
 * (How long the loop stalls is measured by `npm run stall`, not here.)
 */
import { countTokens as exactCount } from 'gpt-tokenizer/encoding/o200k_base';
import { beforeAll, describe, expect, it } from 'vitest';
import { BoundedText } from './bounded-text.js';
import { countTokens, estimateTextTokens, EXACT_COUNT_CHARS, loadTokenizer } from './token-counter.js';

const LARGE = EXACT_COUNT_CHARS * 3;

function repeatTo(sample: string, length: number): string {
  return sample.repeat(Math.ceil(length / sample.length)).slice(0, length);
}

// The exact count below is itself quadratic in an unbroken run, so the samples break every few
// dozen characters; the unbroken cases are short.
const TEXTS: Record<string, string> = {
  'English prose': repeatTo('The quick brown fox jumps over the lazy dog, and then it rests. ', LARGE),
  'CJK': repeatTo('敏捷的棕色狐狸跳过了懒狗。東京は日本の首都です。', LARGE),
  'emoji': repeatTo('🦊🐶🎉👩‍💻 ', LARGE),
  'digits and punctuation': repeatTo('3.14159,2.71828;1.41421|[]{}()<>!?# ', LARGE),
  'random printable': Array.from({ length: LARGE }, (_, index) => (index % 23 === 0 ? ' ' : String.fromCharCode(33 + ((index * 7919) % 94)))).join(''),
};

const SHORT_WITH_RUNS: Record<string, string> = {
  'a long unbroken run': `hello ${'a'.repeat(3000)} world`,
  'a long CJK run': `前 ${'敏捷的棕色狐狸跳过了懒狗'.repeat(100)} 后`,
  'a run of spaces': `one${' '.repeat(2000)}two`,
  'several runs': `${'x'.repeat(100)} mid ${'y'.repeat(100)}\n${'\n'.repeat(100)}end`,
};

beforeAll(async () => {
  await loadTokenizer();
});

describe('countTokens on a large input', () => {
  for (const [name, text] of Object.entries(TEXTS)) {
    it(`is at least the true count: ${name}`, () => {
      expect(text.length).toBeGreaterThan(EXACT_COUNT_CHARS);
      expect(countTokens(text)).toBeGreaterThanOrEqual(exactCount(text));
    });
  }

  for (const [name, text] of Object.entries(SHORT_WITH_RUNS)) {
    it(`is at least the true count, without tokenizing the run: ${name}`, () => {
      expect(countTokens(text)).toBeGreaterThanOrEqual(exactCount(text));
    });
  }

  it('is exact below the threshold', () => {
    const text = TEXTS['English prose']!.slice(0, 1000);
    expect(countTokens(text)).toBe(exactCount(text));
  });
});

describe('pricing estimates of a large text', () => {
  it('stays within a few percent of the true count for uniform text', () => {
    const text = TEXTS['English prose']!;
    const exact = exactCount(text);
    expect(Math.abs(estimateTextTokens(text) - exact) / exact).toBeLessThan(0.05);
  });

  it('BoundedText keeps at most its limit and prices the rest at the measured rate', () => {
    const bounded = new BoundedText(1000);
    const piece = 'The quick brown fox jumps over the lazy dog. ';
    for (let index = 0; index < 10_000; index++) bounded.append(piece);
    expect(bounded.text.length).toBe(1000);
    expect(bounded.length).toBe(piece.length * 10_000);
    expect(bounded.truncated).toBe(true);
    const exact = exactCount(piece.repeat(10_000));
    expect(Math.abs(bounded.countTokens() - exact) / exact).toBeLessThan(0.05);
  });
});
