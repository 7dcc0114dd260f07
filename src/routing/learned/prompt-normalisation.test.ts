import { describe, expect, it } from 'vitest';
import { normalisePrompt } from './prompt-normalisation.js';

describe('prompt normalisation', () => {
  it('drops the answer cue and option letters of a multiple-choice prompt', () => {
    expect(normalisePrompt('Which organ filters blood?\nA. Kidney\nB. Heart\nAnswer:')).toBe('Which organ filters blood?\nKidney\nHeart');
  });

  it('keeps only the last question of a few-shot prompt', () => {
    const prompt = [
      'The following are multiple choice questions (with answers) about anatomy.',
      '',
      'What is 1+1?\nA. 1\nB. 2\nAnswer: B',
      '',
      'Which bone is longest?\nA. Femur\nB. Ulna\nAnswer:',
    ].join('\n');
    expect(normalisePrompt(prompt)).toBe('Which bone is longest?\nFemur\nUlna');
  });

  it('leaves an ordinary chat prompt alone', () => {
    const prompt = 'Write a haiku about autumn.\nMake it rhyme: A is for apple.';
    expect(normalisePrompt(prompt)).toBe(prompt);
  });
});
