/**
 * Where a YAML syntax error really is. The `yaml` parser reports some mistakes at a position
 * before the one a person made: an over-indented key is reported at the key above it, and an
 * unclosed quote or bracket at the end of the file. This finds the line to look at.
 */
import type { LineCounter, YAMLError } from 'yaml';

export interface YamlSyntaxProblem {
  /** 1-based line of the mistake. */
  line: number;
  message: string;
}

export function locateYamlError(errors: readonly YAMLError[], text: string, lineCounter: LineCounter): YamlSyntaxProblem {
  // An over-indented line makes the key above it a multi-line implicit key: the range ends on
  // the line that is indented too far, which is the one to fix.
  const multiline = errors.find((error) => error.code === 'MULTILINE_IMPLICIT_KEY');
  if (multiline) {
    return { line: lineCounter.linePos(multiline.pos[1]).line, message: 'this line is indented further than the key above it (or that key is missing a value)' };
  }
  const error = errors[0]!;
  const message = error.message.split('\n')[0]!;
  const quote = /Missing closing (["'])quote/.exec(message)?.[1];
  if (quote) {
    const opening = text.lastIndexOf(quote, error.pos[0] - 1);
    if (opening >= 0) return { line: lineCounter.linePos(opening).line, message: `this ${quote} quote is never closed` };
  }
  const bracket = /end with a ([\]}])/.exec(message)?.[1];
  if (bracket) {
    const opening = unmatchedOpening(text, error.pos[0], bracket === ']' ? '[' : '{', bracket);
    if (opening >= 0) return { line: lineCounter.linePos(opening).line, message: `this ${bracket === ']' ? '[' : '{'} is never closed with ${bracket}` };
  }
  return { line: lineCounter.linePos(error.pos[0]).line, message };
}

/** Offset of the last opening bracket before `end` that no closing bracket matches, or -1. */
function unmatchedOpening(text: string, end: number, open: string, close: string): number {
  let depth = 0;
  for (let index = Math.min(end, text.length) - 1; index >= 0; index--) {
    if (text[index] === close) depth++;
    else if (text[index] === open) {
      if (depth === 0) return index;
      depth--;
    }
  }
  return -1;
}
