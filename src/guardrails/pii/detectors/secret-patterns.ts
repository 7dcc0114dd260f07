/**
 * Credentials with a recognisable shape: the key formats providers and clouds document, JSON
 * Web Tokens and PEM private-key blocks. Each pattern has `hint`, a literal that every match
 * contains, so a text without it costs one `includes` per pattern. `group` picks the secret
 * out of a match that needs context to be sure (`aws_secret_access_key = …`).
 * `minimumEntropy` (bits per character of the matched key body) rejects documentation
 * stand-ins such as `sk-proj-xxxxxxxxxxxxxxxxxxxxxxxx` and `sk_live_YOUR_KEY_HERE_000000`.
 */

export interface SecretPattern {
  name: string;
  hint: string | RegExp;
  pattern: RegExp;
  group?: number;
  minimumEntropy?: number;
  validate?: (value: string) => boolean;
}

const END = '(?![A-Za-z0-9_-])';

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { name: 'pem-private-key', hint: 'PRIVATE KEY', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]{16,16384}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
  { name: 'anthropic', hint: 'sk-ant-', pattern: new RegExp(`\\bsk-ant-(?:api|admin|oat|sid)\\d{2}-[A-Za-z0-9_-]{32,}${END}`, 'g'), minimumEntropy: 3.5 },
  { name: 'openai-project', hint: 'sk-', pattern: new RegExp(`\\bsk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{32,}${END}`, 'g'), minimumEntropy: 3.5 },
  { name: 'openai-legacy', hint: 'T3BlbkFJ', pattern: new RegExp(`\\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}${END}`, 'g') },
  { name: 'openai-user', hint: 'sk-', pattern: new RegExp(`\\bsk-[A-Za-z0-9]{48}${END}`, 'g'), minimumEntropy: 4 },
  { name: 'switchboard-virtual-key', hint: 'sk-sb-', pattern: new RegExp(`\\bsk-sb-[A-Za-z0-9_-]{43}${END}`, 'g'), minimumEntropy: 3.5 },
  { name: 'aws-access-key-id', hint: /A(?:KIA|SIA|BIA|CCA|3T)/, pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}\b/g, validate: (value) => !value.endsWith('EXAMPLE') },
  {
    name: 'aws-secret-access-key',
    hint: /secret/i,
    pattern: /\b(?:aws_?)?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
    minimumEntropy: 4,
    validate: (value) => !value.includes('EXAMPLEKEY'),
  },
  { name: 'gcp-api-key', hint: 'AIza', pattern: new RegExp(`\\bAIza[0-9A-Za-z_-]{35}${END}`, 'g'), minimumEntropy: 3.5 },
  { name: 'gcp-oauth-client-secret', hint: 'GOCSPX-', pattern: new RegExp(`\\bGOCSPX-[A-Za-z0-9_-]{28}${END}`, 'g') },
  { name: 'gcp-oauth-access-token', hint: 'ya29.', pattern: new RegExp(`\\bya29\\.[A-Za-z0-9_-]{30,}${END}`, 'g'), minimumEntropy: 3.5 },
  { name: 'azure-storage-key', hint: 'AccountKey=', pattern: /AccountKey=([A-Za-z0-9+/]{86}==)/g, group: 1 },
  { name: 'github-token', hint: /gh[pousr]_/, pattern: /\bgh[pousr]_[A-Za-z0-9]{36,251}\b/g, minimumEntropy: 3.5 },
  { name: 'github-fine-grained-token', hint: 'github_pat_', pattern: /\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b/g },
  { name: 'gitlab-token', hint: 'glpat-', pattern: new RegExp(`\\bglpat-[A-Za-z0-9_-]{20,}${END}`, 'g'), minimumEntropy: 3.5 },
  { name: 'slack-token', hint: 'xox', pattern: new RegExp(`\\bxox[abposr]-(?:\\d+-)+[A-Za-z0-9-]{10,}${END}`, 'g') },
  { name: 'slack-webhook', hint: 'hooks.slack.com', pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9_/]{20,}/g },
  { name: 'stripe-secret-key', hint: /[sr]k_(?:live|test)_/, pattern: /\b[sr]k_(?:live|test)_[0-9A-Za-z]{24,247}\b/g, minimumEntropy: 3.5 },
  { name: 'stripe-webhook-secret', hint: 'whsec_', pattern: /\bwhsec_[0-9A-Za-z]{32,}\b/g, minimumEntropy: 3.5 },
  { name: 'huggingface-token', hint: 'hf_', pattern: /\bhf_[A-Za-z]{34}\b/g, minimumEntropy: 3.5 },
  { name: 'groq-key', hint: 'gsk_', pattern: /\bgsk_[A-Za-z0-9]{52}\b/g },
  { name: 'xai-key', hint: 'xai-', pattern: /\bxai-[A-Za-z0-9]{80}\b/g },
  { name: 'npm-token', hint: 'npm_', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g, minimumEntropy: 3.5 },
  { name: 'sendgrid-key', hint: 'SG.', pattern: new RegExp(`\\bSG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}${END}`, 'g') },
  { name: 'twilio-key', hint: 'SK', pattern: /\bSK[0-9a-f]{32}\b/g, minimumEntropy: 3 },
  { name: 'jwt', hint: 'eyJ', pattern: new RegExp(`\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{16,}${END}`, 'g'), validate: isJsonWebToken },
];

/** A JWT's header decodes to JSON naming its algorithm; random `eyJ…` text does not. */
function isJsonWebToken(token: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string';
  } catch {
    return false;
  }
}

/** Shannon entropy in bits per character: random keys score 4.5 to 6, `xxxx…` scores 0. */
export function entropyBitsPerCharacter(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const share = count / text.length;
    entropy -= share * Math.log2(share);
  }
  return entropy;
}
