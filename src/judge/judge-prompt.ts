/**
 * The judge's prompt: a pairwise comparison whose last user message holds the question and both
 * answers verbatim, answered through a JSON schema (`verdict`, one required property `winner`:
 * "1", "2" or "tie"). The version is stored with every label: a changed prompt makes labels that
 * are not comparable with the old ones, and a team must be able to tell them apart.
 */
import type { ChatCompletionRequest } from '../protocol/chat-types.js';

export const JUDGE_PROMPT_VERSION = 'pairwise-v1';

export type JudgeWinner = '1' | '2' | 'tie';

const INSTRUCTIONS = [
  'You are an impartial judge comparing two answers to the same user question.',
  'Decide which answer is more helpful, correct and complete for the user. Do not let the order of the answers, their length or their style sway you.',
  'Answer with JSON only: {"winner": "1"} when answer 1 is better, {"winner": "2"} when answer 2 is better, {"winner": "tie"} when they are equally good or equally bad.',
].join('\n');

export const VERDICT_SCHEMA = {
  type: 'object',
  properties: { winner: { type: 'string', enum: ['1', '2', 'tie'] } },
  required: ['winner'],
  additionalProperties: false,
} as const;

export function judgeRequest(model: string, question: string, first: string, second: string): ChatCompletionRequest {
  return {
    model,
    temperature: 0,
    messages: [
      { role: 'system', content: INSTRUCTIONS },
      { role: 'user', content: `[Question]\n${question}\n\n[Answer 1]\n${first}\n\n[Answer 2]\n${second}\n\nWhich answer is better?` },
    ],
    response_format: { type: 'json_schema', json_schema: { name: 'verdict', strict: true, schema: VERDICT_SCHEMA } },
  } as ChatCompletionRequest;
}

/** The winner from the judge's answer, or undefined when it is not the JSON asked for. */
export function parseWinner(text: string): JudgeWinner | undefined {
  const body = text.trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
  try {
    const value = JSON.parse(body) as { winner?: unknown };
    const winner = value?.winner;
    return winner === '1' || winner === '2' || winner === 'tie' ? winner : undefined;
  } catch {
    return undefined;
  }
}
