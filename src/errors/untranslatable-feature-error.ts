/**
 * A request uses something only its own protocol's upstream can serve (an Anthropic server tool,
 * `top_k`…) and was sent somewhere else. The surface lists these features when it decodes; the
 * call that would have to translate them refuses with a 400 that names the feature, rather than
 * answer a different question than the client asked.
 */
import { InvalidRequestError } from './gateway-error.js';

export interface UntranslatableFeature {
  /** What the client asked for, in words: `the Anthropic tool 'web_search' (web_search_20250305)`. */
  feature: string;
  /** Where it is in the client's body, in the inbound API's own notation: `tools.3`, `messages.4.content.1`. */
  param: string;
}

export class UntranslatableFeatureError extends InvalidRequestError {
  /**
   * e.g. "Top_k (at 'top_k') can only be served by an Anthropic deployment, and 'gpt-4o-mini' is not
   * one. Send the request to an Anthropic model, or remove that part of it."
   */
  constructor(feature: UntranslatableFeature, target: string, nativeUpstream = 'an Anthropic deployment') {
    super(
      `${capitalise(feature.feature)} (at '${feature.param}') can only be served by ${nativeUpstream}, and '${target}' is not one. ` +
        'Send the request to an Anthropic model, or remove that part of it.',
      feature.param,
      'untranslatable_feature',
    );
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
