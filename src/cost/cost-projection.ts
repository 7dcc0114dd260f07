/**
 * Daily and monthly cost of a traffic profile on each model, and on a weak/strong mix, from
 * catalog prices per 1M tokens. Pure arithmetic, so it reproduces published examples exactly:
 * 10M input tokens a day on gpt-4o at $2.50 per 1M is $25.00 a day.
 */
import type { ModelPrice } from './price-catalog.js';

/** A month in projections is 30 days (say so wherever a monthly figure is shown). */
export const DAYS_PER_MONTH = 30;

export interface TrafficProfile {
  requestsPerDay: number;
  tokensPerRequest: number;
  /** Share of tokens that are input (prompt) tokens, 0 to 1. */
  inputShare: number;
}

export interface ModelProjection {
  model: string;
  price: ModelPrice;
  inputTokensPerDay: number;
  outputTokensPerDay: number;
  dailyUsd: number;
  monthlyUsd: number;
}

export interface MixProjection {
  weak: string;
  strong: string;
  weakShare: number;
  dailyUsd: number;
  monthlyUsd: number;
  /** Against sending everything to the strong model. */
  savedDailyUsd: number;
}

export function projectModel(profile: TrafficProfile, model: string, price: ModelPrice): ModelProjection {
  const tokensPerDay = profile.requestsPerDay * profile.tokensPerRequest;
  const inputTokensPerDay = tokensPerDay * profile.inputShare;
  const outputTokensPerDay = tokensPerDay - inputTokensPerDay;
  const dailyUsd = (inputTokensPerDay * price.input + outputTokensPerDay * price.output) / 1_000_000;
  return { model, price, inputTokensPerDay, outputTokensPerDay, dailyUsd, monthlyUsd: dailyUsd * DAYS_PER_MONTH };
}

/** `weakShare` of requests on the cheapest model, the rest on the most expensive. */
export function projectMix(projections: readonly ModelProjection[], weakShare: number): MixProjection | undefined {
  if (projections.length < 2) return undefined;
  const sorted = [...projections].sort((a, b) => a.dailyUsd - b.dailyUsd);
  const weak = sorted[0]!;
  const strong = sorted[sorted.length - 1]!;
  const dailyUsd = weakShare * weak.dailyUsd + (1 - weakShare) * strong.dailyUsd;
  return { weak: weak.model, strong: strong.model, weakShare, dailyUsd, monthlyUsd: dailyUsd * DAYS_PER_MONTH, savedDailyUsd: strong.dailyUsd - dailyUsd };
}
