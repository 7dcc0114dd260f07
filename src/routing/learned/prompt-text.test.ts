import { describe, expect, it } from 'vitest';
import { CONTEXT_CHARACTERS, promptTextFromMessages } from './prompt-text.js';

describe('prompt text from chat messages', () => {
  it('is the user message itself for a single-turn request', () => {
    expect(promptTextFromMessages([{ role: 'user', content: 'What is 2 + 2?' }])).toBe('What is 2 + 2?');
  });

  it('leaves out the system prompt, which every request of an app shares', () => {
    expect(
      promptTextFromMessages([
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'Prove that there are infinitely many primes.' },
      ]),
    ).toBe('Prove that there are infinitely many primes.');
  });

  it('puts earlier turns before the last user message', () => {
    const text = promptTextFromMessages([
      { role: 'user', content: 'Write a function that reverses a list.' },
      { role: 'assistant', content: 'def reverse(items): return items[::-1]' },
      { role: 'user', content: [{ type: 'text', text: 'Now do it in Rust.' }] },
    ]);
    expect(text).toBe('Write a function that reverses a list.\ndef reverse(items): return items[::-1]\nNow do it in Rust.');
  });

  it('keeps only the most recent earlier context, however long the conversation', () => {
    const long = 'x'.repeat(10_000);
    const text = promptTextFromMessages([
      { role: 'user', content: long },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'Summarise.' },
    ]);
    expect(text.length).toBe(CONTEXT_CHARACTERS + '\nSummarise.'.length);
    expect(text.endsWith('x\nok\nSummarise.')).toBe(true);
  });

  it('falls back to all the text when there is no user message', () => {
    expect(promptTextFromMessages([{ role: 'system', content: 'Say hi.' }])).toBe('Say hi.');
  });
});
