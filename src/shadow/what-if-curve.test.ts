import { describe, expect, it } from 'vitest';
import type { Comparison } from './comparison.js';
import { whatIfCurve } from './what-if-curve.js';

function comparison(prompt: string, label: number | null): Comparison {
  const answer = (model: string, cost: number) => ({ model, answer: '', latency_ms: 1, cost_usd: cost, prompt_tokens: 1, completion_tokens: 1 });
  return {
    id: prompt, created_at: 0, request_id: prompt, route: 'auto', key_id: null, served: 'weak', prompt,
    weak: answer('weak', 1), strong: answer('strong', 10), shadow_cost_usd: 0,
    diff: { exact_match: false, length_ratio: 1, token_similarity: 0, json: null } as unknown as Comparison['diff'],
    judgement: label === null ? null : ({ label } as unknown as Comparison['judgement']),
    review: null,
  };
}

describe('what-if curve', () => {
  it('sends the highest-scored labelled requests to the strong model first, scoring each by its label', () => {
    // Scores by prompt: 'a' highest. The strong answer wins 'a' and 'b', the weak one 'c' and 'd'.
    const scores: Record<string, number> = { a: 0.9, b: 0.7, c: 0.4, d: 0.1, unlabelled: 0.95 };
    const curve = whatIfCurve([comparison('c', 0), comparison('a', 1), comparison('d', 0), comparison('b', 1), comparison('unlabelled', null)], (prompt) => scores[prompt]!);
    expect(curve).toHaveLength(11);
    expect(curve[0]).toEqual({ strong_share: 0, quality: 0.5, cost_usd: 4 });
    expect(curve.find((point) => point.strong_share === 0.5)).toEqual({ strong_share: 0.5, quality: 1, cost_usd: 22 });
    expect(curve.at(-1)).toEqual({ strong_share: 1, quality: 0.5, cost_usd: 40 });
  });

  it('is empty when nothing is labelled', () => {
    expect(whatIfCurve([comparison('a', null)], () => 0.5)).toEqual([]);
  });
});
