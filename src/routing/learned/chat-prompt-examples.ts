/**
 * Hand-written chat prompts whose order any sane router must keep: greetings and one-line
 * trivia below multi-step maths, proofs, code and analysis. They were written after the
 * features were chosen, but the domain-expert mix and the length prior were then chosen so as
 * to keep this order (docs/routing-quality.md), so they flatter the shipped router a little.
 * `chat-prompt-order.test.ts` checks the shipped router against them; `npm run router:diagnose`
 * asks the same of simpler scorers.
 */
export const EASY_CHAT_PROMPTS = ['hey', 'Good morning!', 'ok thanks', 'What is the capital of Japan?', 'Who painted the Mona Lisa?', 'How do you say thank you in French?', 'What day comes after Monday?'];

export const HARD_CHAT_PROMPTS = [
  'A tank is filled by pipe A in 6 hours and by pipe B in 9 hours, while pipe C empties it in 12 hours. If all three are opened when the tank is one third full, how long until it is full? Show your working.',
  'Prove that every bounded monotone sequence of real numbers converges, and explain where the completeness of the reals is used.',
  'Write a function in TypeScript that returns the longest palindromic substring of a string in O(n^2) time, explain why it is correct, and list the edge cases you tested.',
  'Analyse the causes of the 2008 financial crisis, weigh the role of credit default swaps against that of monetary policy, and explain which reforms since then address each cause.',
  'Solve the system x + 2y - z = 4, 2x - y + 3z = 9, 3x + y + z = 10 step by step and check the solution.',
];
