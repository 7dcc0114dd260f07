/**
 * The one scrubber of secrets in text the gateway relays, logs or stores: every configured
 * secret (provider API keys, secret-looking deployment headers, the admin key), and anything
 * shaped like a credential (a bearer token, an OpenAI/Anthropic/Switchboard `sk-` key, a Google
 * `AIza` key, an `api_key`/`authorization` value). An upstream that echoed the `authorization`
 * header put its own API key into a client's error and six log rows (issue 12, finding 8).
 *
 * It runs where text leaves or is kept: every GatewayError message (so every error body, stream
 * error event and logged error), the process log, and the request log's stored bodies.
 * Configured secrets are registered process-wide at startup and on reload; there is no harm in a
 * secret of another gateway in the same process being scrubbed too.
 */

const REDACTED = '[redacted]';

/** Secrets shorter than this are not registered: scrubbing them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 8;

const CREDENTIAL_SHAPES: Array<[RegExp, string]> = [
  // `Bearer <token>` anywhere (an echoed authorization header).
  [/\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`],
  // OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), Switchboard virtual keys (sk-sb-).
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
  // Google API keys.
  [/\bAIza[0-9A-Za-z_-]{30,}/g, REDACTED],
  // `"api_key": "…"`, `x-api-key=…`, `authorization: …` and their kin, quoted or not.
  [/((?:authorization|x-api-key|api[-_]?key|x-goog-api-key|access[-_]?token|secret)["']?\s*[:=]\s*["']?)(?!\[redacted\])[^"'\s,;}&]{8,}/gi, `$1${REDACTED}`],
];

const secrets = new Set<string>();
let secretPattern: RegExp | undefined;

/** Adds configured secrets (undefined and short values are skipped). */
export function registerSecrets(values: Iterable<string | undefined | null>): void {
  let added = false;
  for (const value of values) {
    if (!value || value.length < MIN_SECRET_LENGTH || secrets.has(value)) continue;
    secrets.add(value);
    added = true;
  }
  if (!added) return;
  // Longest first, so a secret that contains another is replaced whole.
  const alternatives = [...secrets].sort((a, b) => b.length - a.length).map((secret) => secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  secretPattern = new RegExp(alternatives.join('|'), 'g');
}

/** `text` with every configured secret and credential-shaped token replaced by `[redacted]`. */
export function scrubSecrets(text: string): string {
  if (text.length === 0) return text;
  let scrubbed = secretPattern ? text.replace(secretPattern, REDACTED) : text;
  for (const [pattern, replacement] of CREDENTIAL_SHAPES) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

/** `scrubSecrets` for optional columns. */
export function scrubOptional<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' ? scrubSecrets(text) : text) as T;
}

/** The secrets a config holds: provider keys, secret-looking deployment headers, the admin key. */
export function configuredSecrets(config: {
  admin_key?: string;
  models: ReadonlyArray<{ api_key?: string; headers?: Record<string, string>; deployments?: ReadonlyArray<{ api_key?: string; headers?: Record<string, string> }> }>;
}): string[] {
  const found: string[] = [];
  const fromUpstream = (upstream: { api_key?: string; headers?: Record<string, string> }) => {
    if (upstream.api_key) found.push(upstream.api_key);
    for (const [name, value] of Object.entries(upstream.headers ?? {})) if (/key|auth|token|secret/i.test(name)) found.push(value.replace(/^bearer\s+/i, ''));
  };
  if (config.admin_key) found.push(config.admin_key);
  for (const model of config.models) {
    fromUpstream(model);
    for (const deployment of model.deployments ?? []) fromUpstream(deployment);
  }
  return found;
}
