/** The review page's word diff: what only one answer says is marked, and nothing else. */
import { describe, expect, it } from 'vitest';
import { diffWords, type DiffSegment } from './word-diff.js';

const markedText = (segments: DiffSegment[]) => segments.filter((segment) => segment.marked).map((segment) => segment.text);
const joined = (segments: DiffSegment[]) => segments.map((segment) => segment.text).join('');

describe('diffWords', () => {
  it('marks the word each side has in place of the other', () => {
    const diff = diffWords('the cat sat on the mat', 'the dog sat on the mat');
    expect(markedText(diff.left)).toEqual(['cat']);
    expect(markedText(diff.right)).toEqual(['dog']);
  });

  it('marks a changed phrase as one span and keeps the whitespace as written', () => {
    const left = 'Paris is\nthe capital.';
    const right = 'Paris,  I think, is the   capital city!';
    const diff = diffWords(left, right);
    expect(joined(diff.left)).toBe(left);
    expect(joined(diff.right)).toBe(right);
    expect(markedText(diff.left)).toEqual([]);
    // Punctuation and case alone are not differences; "I think," and "city!" are.
    expect(markedText(diff.right)).toEqual(['I think,', 'city!']);
  });

  it('marks reordered words on one side, as a sequence diff does', () => {
    const diff = diffWords('one two three', 'three one two');
    expect(markedText(diff.left)).toEqual(['three']);
    expect(markedText(diff.right)).toEqual(['three']);
  });

  it('marks everything when nothing is shared and nothing when the answers are equal', () => {
    expect(markedText(diffWords('alpha beta', 'gamma').left)).toEqual(['alpha beta']);
    expect(diffWords('same words', 'same words').left).toEqual([{ text: 'same words', marked: false }]);
    expect(diffWords('', 'x')).toEqual({ left: [], right: [{ text: 'x', marked: true }] });
  });

  it('falls back to marking words the other side lacks when the answers are too long for the table', () => {
    const long = Array.from({ length: 2100 }, (_, index) => `w${index}`).join(' ');
    const diff = diffWords(`${long} extra`, `${long} other`);
    expect(markedText(diff.left)).toEqual(['extra']);
    expect(markedText(diff.right)).toEqual(['other']);
  });
});
