/**
 * A word-level diff of two answers for people to read (the dashboard's review page): the longest
 * common subsequence of words, so each side's words outside it are marked. Words compare by
 * their letters and digits, lower-cased (answer-diff.ts's tokens), so punctuation and case alone
 * are not shown as disagreement. Whitespace is kept as it was, so code and lists read as written.
 * Pure, with no Node imports: the browser bundle uses it too.
 */
import { answerTokens } from './answer-diff.js';

export interface DiffSegment {
  text: string;
  /** True where the word is not in the common subsequence: only this side says it. */
  marked: boolean;
}

/**
 * Above this many word pairs (n × m) the quadratic table would cost too much in a browser tab;
 * the diff then marks the words whose tokens the other side lacks anywhere, as
 * `switchboard review` does.
 */
const MAX_CELLS = 4_000_000;

/** `diffWords('the cat sat', 'the dog sat')` marks `cat` on the left and `dog` on the right. */
export function diffWords(left: string, right: string): { left: DiffSegment[]; right: DiffSegment[] } {
  const leftParts = split(left);
  const rightParts = split(right);
  const leftKeys = leftParts.words.map((index) => wordKey(leftParts.parts[index]!));
  const rightKeys = rightParts.words.map((index) => wordKey(rightParts.parts[index]!));
  const [leftCommon, rightCommon] = leftKeys.length * rightKeys.length <= MAX_CELLS ? commonSubsequence(leftKeys, rightKeys) : sharedTokens(leftKeys, rightKeys);
  return { left: segments(leftParts, leftCommon), right: segments(rightParts, rightCommon) };
}

/** Parts alternate words and whitespace; `words` holds the indexes of the words. */
function split(text: string): { parts: string[]; words: number[] } {
  const parts = text.split(/(\s+)/).filter((part) => part !== '');
  const words = parts.flatMap((part, index) => (/^\s+$/.test(part) ? [] : [index]));
  return { parts, words };
}

/** A word's comparable form; a word of punctuation only compares as itself. */
function wordKey(word: string): string {
  const tokens = answerTokens(word);
  return tokens.length > 0 ? tokens.join(' ') : word;
}

/** Which words of each side are in one longest common subsequence (classic dynamic programme). */
function commonSubsequence(left: readonly string[], right: readonly string[]): [boolean[], boolean[]] {
  const columns = right.length + 1;
  // lengths[i * columns + j]: the LCS length of left[i..] and right[j..].
  const lengths = new Uint32Array((left.length + 1) * columns);
  for (let i = left.length - 1; i >= 0; i--) {
    for (let j = right.length - 1; j >= 0; j--) {
      lengths[i * columns + j] = left[i] === right[j] ? lengths[(i + 1) * columns + j + 1]! + 1 : Math.max(lengths[(i + 1) * columns + j]!, lengths[i * columns + j + 1]!);
    }
  }
  const leftCommon = new Array<boolean>(left.length).fill(false);
  const rightCommon = new Array<boolean>(right.length).fill(false);
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    if (left[i] === right[j]) {
      leftCommon[i++] = true;
      rightCommon[j++] = true;
    } else if (lengths[(i + 1) * columns + j]! >= lengths[i * columns + j + 1]!) i++;
    else j++;
  }
  return [leftCommon, rightCommon];
}

function sharedTokens(left: readonly string[], right: readonly string[]): [boolean[], boolean[]] {
  const leftSet = new Set(left);
  const rightSet = new Set(right);
  return [left.map((key) => rightSet.has(key)), right.map((key) => leftSet.has(key))];
}

function segments(split: { parts: string[]; words: number[] }, common: readonly boolean[]): DiffSegment[] {
  const marked = new Set(split.words.filter((_, position) => !common[position]));
  const result: DiffSegment[] = [];
  for (const [index, text] of split.parts.entries()) {
    // Whitespace between two marked words is marked too, so a changed phrase is one highlight.
    const isMarked = marked.has(index) || (/^\s+$/.test(text) && marked.has(index - 1) && marked.has(index + 1));
    const last = result[result.length - 1];
    if (last && last.marked === isMarked) last.text += text;
    else result.push({ text, marked: isMarked });
  }
  return result;
}
