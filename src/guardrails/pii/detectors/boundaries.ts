/** Character tests shared by the detectors, so "a match does not continue a word" means one thing. */

export function isAsciiDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Letter, digit or underscore at `index` (false outside the text). */
export function isWordCharacterAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  const code = text.charCodeAt(index);
  return isAsciiDigit(code) || isAsciiLetter(code) || code === 95;
}

/** The `length` characters before `index`, lower-cased, for keyword context ("order #", "ssn:"). */
export function textBefore(text: string, index: number, length: number): string {
  return text.slice(Math.max(0, index - length), index).toLowerCase();
}

/** Runs a global regex over `text` and yields each match (the regex must have the `g` flag). */
export function* matchesOf(pattern: RegExp, text: string): Generator<RegExpExecArray> {
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    yield match;
    if (match[0].length === 0) pattern.lastIndex++;
  }
}
