/**
 * Turns a prompt into features in one pass over its characters, allocating nothing per token,
 * so a decision on an 8k-token prompt stays well under a millisecond.
 *
 * - Hashed n-grams: words (lower-cased), numbers (as a class by digit count, so "17" and "42"
 *   are the same feature), and maths and code symbols, as unigrams and bigrams, hashed into
 *   2^hashBits buckets. Training and scoring visit exactly the same indices through this file.
 * - Structure: a few dense measurements (length, digits, operators, code and reasoning markers)
 *   that describe a prompt whatever its vocabulary, which is what carries over to prompts
 *   unlike the training data. Every measurement in `STRUCTURE_FEATURES` is computed; a router
 *   file says which of them it uses.
 */

export const STRUCTURE_FEATURES = [
  'log_characters',
  'log_words',
  'digit_ratio',
  'log_numbers',
  'log_math_operators',
  'log_question_marks',
  'log_code_markers',
  'log_reasoning_words',
  'mean_word_length',
  'log_sentences',
  'digit_density',
] as const;
export type StructureFeature = (typeof STRUCTURE_FEATURES)[number];
// The catalogue only grows: a router file names the measurements it uses, so files trained
// before a measurement was replaced still score. `digit_ratio` is kept for them; new routers use
// `digit_density`, which does not swing to extremes on a prompt of a dozen characters.

/**
 * `digit_density` divides by at least this many characters: a ratio over a two-word prompt
 * ("Factor 8051.") is noise, and a plain ratio scored such prompts far outside anything trained on.
 */
const DIGIT_DENSITY_MIN_CHARACTERS = 200;
// Line count and uppercase ratio were tried and dropped: they measure a benchmark's layout (one
// line per MMLU option, capitalised option text), not difficulty, and on chat prompts they
// pushed greetings like "Hi there" above multi-step word problems.

export interface PromptScan {
  /**
   * Hashed n-gram bucket of each unigram and bigram occurrence, in [0, 2^hashBits). Only the
   * first `hashedCount` entries are valid, and only until the next scan: the buffer is reused.
   */
  hashed: Int32Array;
  /** Hashed n-gram occurrences (the caller scales each by 1/√count). */
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
  return hash ^ (hash >>> 16);
}

function hashString(text: string): number {
  let hash = FNV_OFFSET | 0;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), FNV_PRIME);
  return hash;
}

/**
 * A fixed set of int32 hashes in an open-addressing table. A JavaScript Set would box every
 * hash outside the small-integer range into a heap number on each lookup: an allocation per word.
 */
class HashSet32 {
  private readonly slots: Int32Array;
  private readonly used: Uint8Array;
  private readonly mask: number;

  constructor(hashes: readonly number[]) {
    let size = 16;
    while (size < hashes.length * 4) size *= 2;
    this.slots = new Int32Array(size);
    this.used = new Uint8Array(size);
    this.mask = size - 1;
    for (const hash of hashes) {
      let slot = mix(hash) & this.mask;
      while (this.used[slot] === 1 && this.slots[slot] !== hash) slot = (slot + 1) & this.mask;
      this.slots[slot] = hash;
      this.used[slot] = 1;
    }
  }

  has(hash: number): boolean {
    let slot = mix(hash) & this.mask;
    while (this.used[slot] === 1) {
      if (this.slots[slot] === hash) return true;
      slot = (slot + 1) & this.mask;
    }
    return false;
  }
}

const REASONING_WORDS = new HashSet32(
  [
    'why', 'how', 'explain', 'prove', 'proof', 'derive', 'calculate', 'compute', 'solve', 'determine', 'estimate',
    'step', 'steps', 'reason', 'reasoning', 'justify', 'compare', 'analyze', 'analyse', 'evaluate', 'implement',
    'write', 'design', 'optimize', 'debug', 'total', 'each', 'per', 'remaining', 'if', 'then', 'therefore',
  ].map(hashString),
);
const CODE_WORDS = new HashSet32(
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
const MATH_OPERATORS = new Uint8Array(128);
for (const character of '+-*/=^%<>') MATH_OPERATORS[character.charCodeAt(0)] = 1;
const CODE_SYMBOLS = new Uint8Array(128);
for (const character of '{};`#_\\') CODE_SYMBOLS[character.charCodeAt(0)] = 1;
/** Token hashes of the prompt being scanned; grown as needed and reused across calls. */
let tokenBuffer = new Int32Array(4096);
let bucketBuffer = new Int32Array(8192);

function kindOf(code: number): CharacterKind {
  if (code < 128) return KINDS[code];
  // Letters of other scripts are words too; other non-ASCII characters (emoji, dashes) separate them.
  return code >= 0xc0 && code !== 0xd7 && code !== 0xf7 && !(code >= 0x2000 && code <= 0x2bff) ? CharacterKind.Letter : CharacterKind.Other;
}

/**
 * Scans a (normalised) prompt into hashed n-gram buckets and structure measurements.
 * `characterCount` is the length the prompt had before it was cut (defaults to the text's).
 */
export function scanPrompt(text: string, hashBits: number, characterCount = text.length): PromptScan {
  const mask = (1 << hashBits) - 1;
  let words = 0;
  let wordCharacters = 0;
  let digits = 0;
  let numbers = 0;
  let operators = 0;
  let questionMarks = 0;
  let codeMarkers = 0;
  let reasoningWords = 0;
  let sentences = 0;

  // First pass: the prompt as a sequence of int32 token hashes, in a reused buffer (no allocation).
  const length = text.length;
  if (tokenBuffer.length < length + 1) tokenBuffer = new Int32Array(Math.max(length + 1, tokenBuffer.length * 2));
  const tokens = tokenBuffer;
  let tokenCount = 0;
  let position = 0;
  while (position < length) {
    let code = text.charCodeAt(position);
    const kind = kindOf(code);
    if (kind === CharacterKind.Letter) {
      let hash = FNV_OFFSET | 0;
      const start = position;
      do {
        if (code >= 65 && code <= 90) code += 32;
        hash = Math.imul(hash ^ code, FNV_PRIME);
        position++;
        code = position < length ? text.charCodeAt(position) : 32;
      } while (kindOf(code) === CharacterKind.Letter || code === 39 /* ' */);
      words++;
      wordCharacters += position - start;
      if (REASONING_WORDS.has(hash)) reasoningWords++;
      if (CODE_WORDS.has(hash)) codeMarkers++;
      tokens[tokenCount++] = hash;
    } else if (kind === CharacterKind.Digit) {
      let count = 0;
      let decimal = false;
      do {
        if (code === 46) decimal = true;
        else if (code !== 44) count++;
        position++;
        code = position < length ? text.charCodeAt(position) : 32;
      } while (kindOf(code) === CharacterKind.Digit || ((code === 46 || code === 44) && position + 1 < length && kindOf(text.charCodeAt(position + 1)) === CharacterKind.Digit));
      digits += count;
      numbers++;
      tokens[tokenCount++] = decimal ? DECIMAL_CLASS : NUMBER_CLASSES[count < 7 ? count : 7];
    } else {
      if (kind === CharacterKind.Symbol) {
        if (MATH_OPERATORS[code] === 1) operators++;
        if (CODE_SYMBOLS[code] === 1) codeMarkers++;
        tokens[tokenCount++] = Math.imul(FNV_OFFSET ^ code, FNV_PRIME);
      } else if (code === 63) {
        questionMarks++;
        sentences++;
        tokens[tokenCount++] = Math.imul(FNV_OFFSET ^ code, FNV_PRIME);
      } else if (code === 46 || code === 33) {
        sentences++;
      }
      position++;
    }
  }

  // Second pass: unigrams and bigrams of the token hashes.
  if (bucketBuffer.length < 2 * tokenCount) bucketBuffer = new Int32Array(Math.max(2 * tokenCount, bucketBuffer.length * 2));
  const hashed = bucketBuffer;
  let hashedCount = 0;
  for (let index = 0; index < tokenCount; index++) {
    hashed[hashedCount++] = mix(tokens[index]) & mask;
    if (index > 0) hashed[hashedCount++] = mix(Math.imul(tokens[index - 1] ^ BIGRAM_SEED, FNV_PRIME) ^ tokens[index]) & mask;
  }

  const structure = new Float64Array(STRUCTURE_FEATURES.length);
  structure[0] = Math.log1p(characterCount);
  structure[1] = Math.log1p(words);
  structure[2] = length === 0 ? 0 : digits / length;
  structure[3] = Math.log1p(numbers);
  structure[4] = Math.log1p(operators);
  structure[5] = Math.log1p(questionMarks);
  structure[6] = Math.log1p(codeMarkers);
  structure[7] = Math.log1p(reasoningWords);
  structure[8] = words === 0 ? 0 : Math.min(wordCharacters / words, 20);
  structure[9] = Math.log1p(sentences);
  structure[10] = digits / Math.max(length, DIGIT_DENSITY_MIN_CHARACTERS);
  return { hashed, hashedCount, structure };
}
