/**
 * The shipped router is trained on benchmark questions, never on chat, yet it routes chat. These
 * clear-cut prompts guard the failure that made it misroute chat: greetings scoring above
 * multi-step problems, because length and ratio features were extrapolated far below the
 * shortest training prompt (fixed by clamping structure features to their training range).
 */
import { describe, expect, it } from 'vitest';
import { EASY_CHAT_PROMPTS, HARD_CHAT_PROMPTS } from './chat-prompt-examples.js';
import { DEFAULT_ROUTER_PATH } from './default-router.js';
import { loadLearnedRouter } from './learned-router.js';

describe('shipped router on chat prompts', () => {
  const router = loadLearnedRouter(DEFAULT_ROUTER_PATH);

  it('scores greetings and one-line trivia below multi-step maths, proofs, code and analysis', () => {
    const highestEasy = Math.max(...EASY_CHAT_PROMPTS.map((prompt) => router.score(prompt)));
    for (const prompt of HARD_CHAT_PROMPTS) expect(router.score(prompt), prompt).toBeGreaterThan(highestEasy);
  });
});
