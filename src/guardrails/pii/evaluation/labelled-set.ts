/**
 * The labelled test set of the PII detectors (`__fixtures__/pii-labelled.jsonl`): realistic
 * text with every personal value marked inline as `[[entity|value]]`, and many unmarked
 * look-alikes (order and tracking numbers, timestamps, versions, UUIDs, hashes, dates) that a
 * detector must leave alone. Marking inline keeps each label next to its context, so a reader
 * can check a label by reading the line.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PII_ENTITIES, type PiiEntity } from '../entities.js';

export interface LabelledSpan {
  entity: PiiEntity;
  start: number;
  end: number;
}

export interface LabelledText {
  note: string;
  text: string;
  spans: LabelledSpan[];
}

/** The development set: the detectors' rules were tuned on its errors. */
export const LABELLED_SET_PATH = fileURLToPath(new URL('../__fixtures__/pii-labelled.jsonl', import.meta.url));
/** The held-out set: written after tuning, never tuned on, so its figures are the ones to quote. */
export const HOLDOUT_SET_PATH = fileURLToPath(new URL('../__fixtures__/pii-holdout.jsonl', import.meta.url));

const MARK = /\[\[(\w+)\|([\s\S]*?)\]\]/g;

export function parseLabelledText(note: string, marked: string): LabelledText {
  const spans: LabelledSpan[] = [];
  let text = '';
  let position = 0;
  for (const match of marked.matchAll(MARK)) {
    const entity = match[1] as PiiEntity;
    if (!PII_ENTITIES.includes(entity)) throw new Error(`unknown entity '${entity}' in labelled text: ${note}`);
    text += marked.slice(position, match.index);
    spans.push({ entity, start: text.length, end: text.length + match[2]!.length });
    text += match[2];
    position = match.index + match[0].length;
  }
  return { note, text: text + marked.slice(position), spans };
}

export function loadLabelledSet(path = LABELLED_SET_PATH): LabelledText[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const record = JSON.parse(line) as { note: string; text: string };
      return parseLabelledText(record.note, record.text);
    });
}
