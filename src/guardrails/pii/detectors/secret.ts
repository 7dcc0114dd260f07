/** Secrets (API keys, tokens, private keys): the pattern table is in secret-patterns.ts. */
import type { PiiDetector, PiiMatch } from '../entities.js';
import { matchesOf } from './boundaries.js';
import { entropyBitsPerCharacter, SECRET_PATTERNS, type SecretPattern } from './secret-patterns.js';

export const secretDetector: PiiDetector = {
  entity: 'secret',
  detect(text: string): PiiMatch[] {
    const matches: PiiMatch[] = [];
    for (const secret of SECRET_PATTERNS) {
      if (typeof secret.hint === 'string' ? !text.includes(secret.hint) : !secret.hint.test(text)) continue;
      for (const match of matchesOf(secret.pattern, text)) {
        const value = secret.group === undefined ? match[0] : match[secret.group]!;
        const start = match.index + match[0].lastIndexOf(value);
        if (isSecret(secret, value)) matches.push({ entity: 'secret', start, end: start + value.length, value });
      }
    }
    return matches;
  },
};

function isSecret(secret: SecretPattern, value: string): boolean {
  if (secret.minimumEntropy !== undefined && entropyBitsPerCharacter(keyBody(value)) < secret.minimumEntropy) return false;
  return secret.validate?.(value) ?? true;
}

/** The random part of a key: what follows its last prefix separator (`sk-proj-`, `ghp_`). */
function keyBody(value: string): string {
  const prefix = /^(?:[a-z0-9]+[-_.])+/i.exec(value.slice(0, 16));
  return prefix ? value.slice(prefix[0].length) : value;
}
