/**
 * `switchboard review`: the review queue in a terminal. Each comparison shows the prompt, then
 * both answers side by side, weak on the left and strong on the right, with the words only one
 * of them has marked (bold yellow on a terminal, `[word]` otherwise). One key votes and moves to
 * the next: w (the weak answer is OK), s (the strong one is better), b (both are bad), n (skip),
 * q (quit). Reads keys from any stream, so a test drives it through stdin.
 */
import type { Writable } from 'node:stream';
import type { AuditActor } from '../audit/audit-actor.js';
import type { AuditLog } from '../audit/audit-log.js';
import { answerTokens } from '../shadow/answer-diff.js';
import type { Comparison, ReviewVerdict } from '../shadow/comparison.js';
import type { ComparisonStore } from '../shadow/comparison-store.js';
import { recordVerdict } from './record-verdict.js';

export interface ReviewTerminalOptions {
  store: ComparisonStore;
  audit: AuditLog;
  actor: AuditActor;
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: Writable;
  /** Terminal width. */
  columns: number;
  color: boolean;
  route?: string;
  /** Most comparisons to go through in one session. */
  limit: number;
}

const KEYS: Record<string, ReviewVerdict | 'skip' | 'quit'> = { w: 'weak_ok', s: 'strong_better', b: 'both_bad', n: 'skip', q: 'quit' };

export async function runReviewTerminal(options: ReviewTerminalOptions): Promise<{ reviewed: number; skipped: number }> {
  const { output } = options;
  const keys = keyReader(options.input);
  const pending = await options.store.reviews('pending', options.limit, options.route);
  let reviewed = 0;
  let skipped = 0;
  try {
    if (pending.length === 0) output.write('No comparisons are waiting for review.\n');
    for (const [index, comparison] of pending.entries()) {
      output.write(renderComparison(comparison, index + 1, pending.length, options.columns, options.color));
      let action: ReviewVerdict | 'skip' | 'quit' | undefined;
      while (!action) {
        const key = await keys.next();
        if (key === undefined) action = 'quit';
        else action = KEYS[key.toLowerCase()];
      }
      if (action === 'quit') break;
      if (action === 'skip') {
        skipped++;
        output.write('skipped\n\n');
        continue;
      }
      await recordVerdict(options.store, options.audit, options.actor, comparison.id, action, null);
      reviewed++;
      output.write(`recorded: ${action}\n\n`);
    }
  } finally {
    keys.close();
  }
  output.write(`${reviewed} reviewed, ${skipped} skipped.\n`);
  return { reviewed, skipped };
}

/** Keys one at a time from a stream (raw mode on a terminal); undefined once the stream ends. */
function keyReader(input: ReviewTerminalOptions['input']): { next(): Promise<string | undefined>; close(): void } {
  const buffered: string[] = [];
  const waiting: Array<(key: string | undefined) => void> = [];
  let ended = false;
  const raw = input.isTTY && typeof input.setRawMode === 'function';
  if (raw) input.setRawMode!(true);
  const onData = (chunk: Buffer | string) => {
    for (const character of String(chunk)) {
      if (character === '\u0003') ended = true; // Ctrl-C in raw mode
      if (/\s/.test(character)) continue;
      const waiter = waiting.shift();
      if (waiter) waiter(character);
      else buffered.push(character);
    }
    if (ended) onEnd();
  };
  const onEnd = () => {
    ended = true;
    for (const waiter of waiting.splice(0)) waiter(undefined);
  };
  input.on('data', onData);
  input.on('end', onEnd);
  input.resume();
  return {
    next: () => (buffered.length > 0 ? Promise.resolve(buffered.shift()) : ended ? Promise.resolve(undefined) : new Promise((resolve) => waiting.push(resolve))),
    close() {
      input.off('data', onData);
      input.off('end', onEnd);
      if (raw) input.setRawMode!(false);
      input.pause();
    },
  };
}

interface Word {
  text: string;
  marked: boolean;
}

/** The comparison as text: header, prompt, the two answers side by side with their differences marked, the keys. */
export function renderComparison(comparison: Comparison, position: number, total: number, columns: number, color: boolean): string {
  const width = Math.max(40, columns);
  const half = Math.floor((width - 3) / 2);
  const judge = comparison.judgement ? `judge: P(strong better) = ${comparison.judgement.label.toFixed(2)}` : 'not judged';
  const lines = [`── ${position}/${total} · route ${comparison.route} · ${comparison.id} · ${judge} ──`, 'Prompt:'];
  for (const line of wrap(plainWords(comparison.prompt), width)) lines.push(renderLine(line, color));
  lines.push('');
  const weakOnly = distinctWords(comparison.weak.answer, comparison.strong.answer);
  const strongOnly = distinctWords(comparison.strong.answer, comparison.weak.answer);
  const left = wrap(weakOnly, half);
  const right = wrap(strongOnly, half);
  lines.push(`${pad(`${comparison.weak.model} (weak)`, half)} │ ${comparison.strong.model} (strong)`);
  lines.push(`${'─'.repeat(half)}─┼─${'─'.repeat(half)}`);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const leftText = left[index] ? renderLine(left[index]!, color) : '';
    const leftWidth = left[index] ? visibleWidth(left[index]!, color) : 0;
    lines.push(`${leftText}${' '.repeat(Math.max(0, half - leftWidth))} │ ${right[index] ? renderLine(right[index]!, color) : ''}`);
  }
  const { diff } = comparison;
  lines.push('', `diff: ${diff.exact_match ? 'identical' : `token similarity ${diff.token_similarity.toFixed(2)}, length ratio ${diff.length_ratio.toFixed(2)}`}${diff.json ? `, JSON ${diff.json.equal ? 'equal' : `${diff.json.differences.length} differences`}` : ''}`);
  lines.push('[w] weak answer is OK   [s] strong answer is better   [b] both bad   [n] skip   [q] quit', '');
  return lines.join('\n');
}

function plainWords(text: string): Word[] {
  return text.split(/\s+/).filter(Boolean).map((word) => ({ text: word, marked: false }));
}

/** The words of `text`, marked where they hold a token the other answer lacks. */
function distinctWords(text: string, other: string): Word[] {
  const otherTokens = new Set(answerTokens(other));
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => ({ text: word, marked: answerTokens(word).some((token) => !otherTokens.has(token)) }));
}

function wordWidth(word: Word, color: boolean): number {
  return word.text.length + (word.marked && !color ? 2 : 0);
}

function visibleWidth(line: readonly Word[], color: boolean): number {
  return line.reduce((sum, word, index) => sum + wordWidth(word, color) + (index > 0 ? 1 : 0), 0);
}

function wrap(words: readonly Word[], width: number): Word[][] {
  const lines: Word[][] = [];
  let line: Word[] = [];
  let used = 0;
  for (const original of words) {
    // A word longer than the column is cut into column-wide pieces.
    const pieces: Word[] = [];
    for (let start = 0; start < original.text.length; start += width - 2) pieces.push({ text: original.text.slice(start, start + width - 2), marked: original.marked });
    for (const word of pieces) {
      const size = wordWidth(word, false);
      if (line.length > 0 && used + 1 + size > width) {
        lines.push(line);
        line = [];
        used = 0;
      }
      used += (line.length > 0 ? 1 : 0) + size;
      line.push(word);
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

function renderLine(line: readonly Word[], color: boolean): string {
  return line.map((word) => (!word.marked ? word.text : color ? `\u001b[1;33m${word.text}\u001b[0m` : `[${word.text}]`)).join(' ');
}

function pad(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : text + ' '.repeat(width - text.length);
}
