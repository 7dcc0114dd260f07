import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRoutingRows, readRoutingDataset } from './routing-dataset.js';

const good = JSON.stringify({ id: 'a', task: 'gsm8k', prompt: 'What is 2+2?', scores: { weak: 0, strong: 1 } });

describe('routing dataset reader', () => {
  it('reads rows and names the dataset after its file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'routing-dataset-'));
    const path = join(directory, 'tiny-dev.jsonl');
    writeFileSync(path, `${good}\n\n`);
    const dataset = readRoutingDataset(path, ['weak', 'strong']);
    expect(dataset.name).toBe('tiny-dev');
    expect(dataset.rows).toEqual([{ id: 'a', task: 'gsm8k', prompt: 'What is 2+2?', scores: { weak: 0, strong: 1 } }]);
  });

  it('names the file and line of a line that is not JSON', () => {
    expect(() => parseRoutingRows(`${good}\n{"id": "b",`, 'data.jsonl')).toThrow('data.jsonl:2: not valid JSON');
  });

  it('names the field that is wrong', () => {
    expect(() => parseRoutingRows('{"id": "a", "scores": {"weak": 1}}', 'data.jsonl')).toThrow('data.jsonl:1: "prompt" must be a string');
    expect(() => parseRoutingRows('{"id": "a", "prompt": "x", "scores": {"weak": "1"}}', 'data.jsonl')).toThrow('data.jsonl:1: score of "weak" must be a finite number');
    expect(() => parseRoutingRows('[1]', 'data.jsonl')).toThrow('data.jsonl:1: expected a JSON object');
  });

  it('rejects duplicate ids', () => {
    expect(() => parseRoutingRows(`${good}\n${good}`, 'data.jsonl')).toThrow('data.jsonl:2: duplicate id "a"');
  });

  it('says which row lacks a score for a model the command needs', () => {
    const directory = mkdtempSync(join(tmpdir(), 'routing-dataset-'));
    const path = join(directory, 'data.jsonl');
    writeFileSync(path, good);
    expect(() => readRoutingDataset(path, ['weak', 'gpt-4o'])).toThrow('row "a" has no score for model "gpt-4o"');
  });

  it('reports a missing file in one line', () => {
    expect(() => readRoutingDataset('/nonexistent/data.jsonl')).toThrow('/nonexistent/data.jsonl: file not found');
  });
});
