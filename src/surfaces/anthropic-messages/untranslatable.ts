/**
 * Parts of a Messages request that only an Anthropic deployment can serve. Decoding never fails
 * on them: the canonical (OpenAI-format) request leaves them out and they are listed here, so the
 * caller can pass the body through natively when the target is an Anthropic deployment, and
 * otherwise refuse with a 400 that names the feature rather than answer a different question.
 */
import { InvalidRequestError } from '../../errors/index.js';

export interface UntranslatableFeature {
  /** What the client asked for, in words: `the server tool 'web_search' (web_search_20250305)`. */
  feature: string;
  /** Where it is in the body, Anthropic-style: `tools.3`, `messages.4.content.1`. */
  param: string;
}

/**
 * The 400 for a request that uses `feature` but resolved to a non-Anthropic target, e.g.
 * "top_k (at 'top_k') can only be served by an Anthropic deployment; 'gpt-4o-mini' is not one…".
 */
export function untranslatableFeatureError(feature: UntranslatableFeature, target: string): InvalidRequestError {
  return new InvalidRequestError(
    `${capitalise(feature.feature)} (at '${feature.param}') can only be served by an Anthropic deployment, and '${target}' is not one. ` +
      'Send the request to an Anthropic model, or remove that part of it.',
    feature.param,
    'untranslatable_feature',
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
