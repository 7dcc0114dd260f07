/**
 * The shipped router is trained on benchmark questions, never on chat, yet it routes chat. These
 * clear-cut prompts guard the failure that made it misroute chat: greetings scoring above
 * multi-step problems, because length and ratio features were extrapolated far below the
 * shortest training prompt (fixed by clamping structure features to their training range).
 * The prompts are hand-written for this check and were not used to choose the training recipe.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTER_PATH } from './default-router.js';
import { loadLearnedRouter } from './learned-router.js';

const EASY = ['hey', 'Good morning!', 'ok thanks', 'What is the capital of Japan?', 'Who painted the Mona Lisa?', 'How do you say thank you in French?', 'What day comes after Monday?'];

const HARD = [
  'A tank is filled by pipe A in 6 hours and by pipe B in 9 hours, while pipe C empties it in 12 hours. If all three are opened when the tank is one third full, how long until it is full? Show your working.',
  'Prove that every bounded monotone sequence of real numbers converges, and explain where the completeness of the reals is used.',
  'Write a function in TypeScript that returns the longest palindromic substring of a string in O(n^2) time, explain why it is correct, and list the edge cases you tested.',
  'Analyse the causes of the 2008 financial crisis, weigh the role of credit default swaps against that of monetary policy, and explain which reforms since then address each cause.',
  'Solve the system x + 2y - z = 4, 2x - y + 3z = 9, 3x + y + z = 10 step by step and check the solution.',
];

describe('shipped router on chat prompts', () => {
  const router = loadLearnedRouter(DEFAULT_ROUTER_PATH);

  it('scores greetings and one-line trivia below multi-step maths, proofs, code and analysis', () => {
    const highestEasy = Math.max(...EASY.map((prompt) => router.score(prompt)));
    for (const prompt of HARD) expect(router.score(prompt), prompt).toBeGreaterThan(highestEasy);
  });
});
