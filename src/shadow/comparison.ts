/**
 * A comparison: one request of a learned route answered by both models of its pair, the one
 * the router chose (served to the caller) and the other (the shadow call), with a cheap diff,
 * and later the labels that make it training data: the judge's, a person's, end-user feedback.
 *
 * The label is the probability that the strong model's answer is better (1: the strong model
 * was needed; 0: the weak answer was as good). A human verdict overrides the judge's.
 */
import type { AnswerDiff } from './answer-diff.js';

export interface ComparedAnswer {
  model: string;
  answer: string;
  latency_ms: number;
  cost_usd: number;
  prompt_tokens: number;
  completion_tokens: number;
}

export const REVIEW_VERDICTS = ['weak_ok', 'strong_better', 'both_bad'] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];

export type ReviewStatus = 'pending' | 'reviewed';

export interface Judgement {
  /** P(strong better) averaged over the judge's calls. */
  label: number;
  model: string;
  prompt_version: string;
  /** Each call's winner as the judge saw the pair: `strong`, `weak` or `tie`. */
  verdicts: string[];
  calls: number;
  cost_usd: number;
  at: number;
}

export interface Review {
  status: ReviewStatus;
  verdict: ReviewVerdict | null;
  note: string | null;
  at: number | null;
}

export interface Comparison {
  id: string;
  created_at: number;
  request_id: string;
  route: string;
  /** The caller's key, so feedback and experiments can join on it; never billed for the shadow call. */
  key_id: string | null;
  /** Which model answered the caller; the other was the shadow call. */
  served: 'weak' | 'strong';
  /** The text the router scored (the last user message with some context), as the training prompt. */
  prompt: string;
  weak: ComparedAnswer;
  strong: ComparedAnswer;
  /** What the shadow call cost (the shadow budget's, never the caller's). */
  shadow_cost_usd: number;
  diff: AnswerDiff;
  judgement: Judgement | null;
  review: Review | null;
}

/** A verdict as the probability that the strong answer is better; both bad says nothing either way. */
export function verdictLabel(verdict: ReviewVerdict): number {
  return verdict === 'strong_better' ? 1 : verdict === 'weak_ok' ? 0 : 0.5;
}

/** The label training uses: a person's verdict first, then the judge's; undefined when neither. */
export function comparisonLabel(comparison: Comparison): { label: number; source: 'human' | 'judge' } | undefined {
  if (comparison.review?.verdict) return { label: verdictLabel(comparison.review.verdict), source: 'human' };
  if (comparison.judgement) return { label: comparison.judgement.label, source: 'judge' };
  return undefined;
}
