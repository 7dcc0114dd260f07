/**
 * Compiles one rule's conditions into a predicate over RequestFacts. Regexes are compiled once
 * at startup; an invalid one is a config error, not a per-request failure.
 */
import { ConfigError } from '../../config/config-error.js';
import type { RequestFacts } from '../request-facts.js';
import type { RuleCondition } from '../route-schema.js';

export type RulePredicate = (facts: RequestFacts) => boolean;

export function compileRule(condition: RuleCondition, where: string): RulePredicate {
  const checks: RulePredicate[] = [];
  if (condition.metadata) {
    const entries = Object.entries(condition.metadata);
    checks.push((facts) => entries.every(([key, value]) => facts.request.metadata?.[key] === value));
  }
  if (condition.tags) {
    const wanted = new Set(condition.tags);
    checks.push((facts) => facts.tags.some((tag) => wanted.has(tag)));
  }
  if (condition.headers) {
    const entries = Object.entries(condition.headers);
    checks.push((facts) => entries.every(([name, value]) => facts.header(name) === value));
  }
  if (condition.message_matches !== undefined) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(condition.message_matches, 'i');
    } catch (error) {
      throw new ConfigError(`${where}.message_matches: invalid regular expression: ${(error as Error).message}`);
    }
    checks.push((facts) => pattern.test(facts.lastUserMessage));
  }
  if (condition.has_images !== undefined) checks.push((facts) => facts.hasImages === condition.has_images);
  if (condition.has_tools !== undefined) checks.push((facts) => facts.hasTools === condition.has_tools);
  if (condition.json_mode !== undefined) checks.push((facts) => facts.jsonMode === condition.json_mode);
  if (condition.min_prompt_tokens !== undefined) checks.push((facts) => facts.estimatedPromptTokens >= condition.min_prompt_tokens!);
  if (condition.max_prompt_tokens !== undefined) checks.push((facts) => facts.estimatedPromptTokens <= condition.max_prompt_tokens!);
  if (condition.keys) {
    const keys = new Set(condition.keys);
    checks.push((facts) => facts.keyId !== null && keys.has(facts.keyId));
  }
  if (condition.users) {
    const users = new Set(condition.users);
    checks.push((facts) => facts.request.user !== undefined && users.has(facts.request.user));
  }
  if (checks.length === 0) throw new ConfigError(`${where}: a rule needs at least one condition`);
  return (facts) => checks.every((check) => check(facts));
}
