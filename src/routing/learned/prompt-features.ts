/**
 * Turns a prompt into features in one pass over its characters, allocating nothing per token,
 * so a decision on an 8k-token prompt stays well under a millisecond.
 *
 * - Hashed n-grams: words (lower-cased), numbers (as a class by digit count, so "17" and "42"
 *   are the same feature), and maths and code symbols, as unigrams and bigrams, hashed into
 *   2^hashBits buckets. Training and scoring visit exactly the same indices through this file.
 * - Structure: a few dense measurements (length, digits, operators, code and reasoning markers)
 *   that describe a prompt whatever its vocabulary, which is what carries over to prompts
 *   unlike the training data.
 */

export const STRUCTURE_FEATURES = [
  'log_characters',
  'log_words',
  'digit_ratio',
  'log_numbers',
  'log_math_operators',
  'log_question_marks',
  'log_lines',
  'log_code_markers',
  'log_reasoning_words',
  'mean_word_length',
  'uppercase_ratio',
  'log_sentences',
] as const;

export interface PromptScan {
  /** Hashed n-gram occurrences visited (the caller scales each by 1/√count). */
  hashedCount: number;
  /** Raw structure measurements, in `STRUCTURE_FEATURES` order. */
  structure: Float64Array;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const BIGRAM_SEED = 0x9e3779b9;

/** Final avalanche (MurmurHash3 fmix32) so the low bits used as an index are well mixed. */
function mix(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function hashString(text: string): number {
  let hash = FNV_OFFSET;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), FNV_PRIME);
  return hash;
}

const REASONING_WORDS = new Set(
  [
    'why', 'how', 'explain', 'prove', 'proof', 'derive', 'calculate', 'compute', 'solve', 'determine', 'estimate',
    'step', 'steps', 'reason', 'reasoning', 'justify', 'compare', 'analyze', 'analyse', 'evaluate', 'implement',
    'write', 'design', 'optimize', 'debug', 'total', 'each', 'per', 'remaining', 'if', 'then', 'therefore',
  ].map(hashString),
);
const CODE_WORDS = new Set(
  ['def', 'function', 'return', 'class', 'import', 'const', 'var', 'let', 'int', 'void', 'public', 'include', 'select', 'lambda', 'printf', 'print', 'null', 'none', 'true', 'false'].map(
    hashString,
  ),
);
const NUMBER_CLASSES = Array.from({ length: 8 }, (_, digits) => hashString(`<number:${digits}>`));
const DECIMAL_CLASS = hashString('<number:decimal>');

const enum CharacterKind { Other, Letter, Digit, Symbol }
/** Symbols that mean maths or code; each is a token of its own. */
const SYMBOLS = '+-*/=^%<>()[]{};:$|&#_\\`~@';
const KINDS = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const character = String.fromCharCode(code);
  if (/[a-zA-Z]/.test(character)) KINDS[code] = CharacterKind.Letter;
  else if (/[0-9]/.test(character)) KINDS[code] = CharacterKind.Digit;
  else if (SYMBOLS.includes(character)) KINDS[code] = CharacterKind.Symbol;
}
const MATH_OPERATORS = new Set('+-*/=^%<>'.split('').map((character) => character.charCodeAt(0)));
const CODE_SYMBOLS = new Set('{};`#_\\'.split('').map((character) => character.charCodeAt(0)));

function kindOf(code: number): CharacterKind {
  if (code < 128) return KINDS[code];
  // Letters of other scripts are words too; other non-ASCII characters (emoji, dashes) separate them.
  return code >= 0xc0 && code !== 0xd7 && code !== 0xf7 && !(code >= 0x2000 && code <= 0x2bff) ? CharacterKind.Letter : CharacterKind.Other;
}

/**
 * Scans a (normalised) prompt: calls `visit(index)` once per hashed unigram and bigram
 * occurrence, with `index` in [0, 2^hashBits), and returns the structure measurements.
 */
export function scanPrompt(text: string, hashBits: number, visit: (index: number) => void): PromptScan {
  const mask = (1 << hashBits) - 1;
  let previous = 0;
  let hasPrevious = false;
  let hashedCount = 0;
  let words = 0;
  let wordCharacters = 0;
  let digits = 0;
  let numbers = 0;
  let operators = 0;
  let questionMarks = 0;
  let lines = 1;
  let codeMarkers = 0;
  let reasoningWords = 0;
  let uppercase = 0;
  let letters = 0;
  let sentences = 0;

  const emit = (token: number): void => {
    visit(mix(token) & mask);
    hashedCount++;
    if (hasPrevious) {
      visit(mix(Math.imul(previous ^ BIGRAM_SEED, FNV_PRIME) ^ token) & mask);
      hashedCount++;
    }
    previous = token;
    hasPrevious = true;
  };

  const length = text.length;
  let position = 0;
  while (position < length) {
    let code = text.charCodeAt(position);
    const kind = kindOf(code);
    if (kind === CharacterKind.Letter) {
      let hash = FNV_OFFSET;
      const start = position;
      do {
        if (code >= 65 && code <= 90) {
          uppercase++;
          code += 32;
        }
        hash = Math.imul(hash ^ code, FNV_PRIME);
        position++;
        code = position < length ? text.charCodeAt(position) : 32;
      } while (kindOf(code) === CharacterKind.Letter || code === 39 /* ' */);
      letters += position - start;
      words++;
      wordCharacters += position - start;
      if (REASONING_WORDS.has(hash)) reasoningWords++;
      if (CODE_WORDS.has(hash)) codeMarkers++;
      emit(hash);
    } else if (kind === CharacterKind.Digit) {
      let count = 0;
      let decimal = false;
      do {
        if (code === 46 || code === 44) decimal ||= code === 46;
        else count++;
        position++;
        code = position < length ? text.charCodeAt(position) : 32;
      } while (kindOf(code) === CharacterKind.Digit || ((code === 46 || code === 44) && position + 1 < length && kindOf(text.charCodeAt(position + 1)) === CharacterKind.Digit));
      digits += count;
      numbers++;
      emit(decimal ? DECIMAL_CLASS : NUMBER_CLASSES[Math.min(count, 7)]);
    } else {
      if (kind === CharacterKind.Symbol) {
        if (MATH_OPERATORS.has(code)) operators++;
        if (CODE_SYMBOLS.has(code)) codeMarkers++;
        emit(Math.imul(FNV_OFFSET ^ code, FNV_PRIME));
      } else if (code === 10) {
        lines++;
      } else if (code === 63) {
        questionMarks++;
        sentences++;
        emit(Math.imul(FNV_OFFSET ^ code, FNV_PRIME));
      } else if (code === 46 || code === 33) {
        sentences++;
      }
      position++;
    }
  }

  const structure = new Float64Array(STRUCTURE_FEATURES.length);
  structure[0] = Math.log1p(length);
  structure[1] = Math.log1p(words);
  structure[2] = length === 0 ? 0 : digits / length;
  structure[3] = Math.log1p(numbers);
  structure[4] = Math.log1p(operators);
  structure[5] = Math.log1p(questionMarks);
  structure[6] = Math.log(lines);
  structure[7] = Math.log1p(codeMarkers);
  structure[8] = Math.log1p(reasoningWords);
  structure[9] = words === 0 ? 0 : Math.min(wordCharacters / words, 20);
  structure[10] = letters === 0 ? 0 : uppercase / letters;
  structure[11] = Math.log1p(sentences);
  return { hashedCount, structure };
}
