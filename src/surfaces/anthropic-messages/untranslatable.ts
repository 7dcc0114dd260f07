/**
 * Parts of a Messages request that only an Anthropic deployment can serve. Decoding never fails
 * on them: the canonical (OpenAI-format) request leaves them out and they are listed, so the
 * body can pass through natively when the target is an Anthropic deployment, and otherwise the
 * call refuses with a 400 that names the feature (UntranslatableFeatureError) rather than answer
 * a different question.
 */
import { UntranslatableFeatureError, type UntranslatableFeature } from '../../errors/index.js';

export type { UntranslatableFeature };

/** The 400 for a request that uses `feature` but resolved to the non-Anthropic `target`. */
export function untranslatableFeatureError(feature: UntranslatableFeature, target: string): UntranslatableFeatureError {
  return new UntranslatableFeatureError(feature, target);
}
