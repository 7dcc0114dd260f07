/**
 * One row of the audit log and its place in the hash chain. Each row's hash is
 * `sha256(previous row's hash + canonical content)`, so changing, removing or reordering any
 * row breaks every hash after it, and `switchboard audit verify` names the first that breaks.
 *
 * Content is canonical JSON (keys sorted, no spaces), and `before`/`after` are stored as that
 * exact text, so verification recomputes a hash from what the row holds, on SQLite and
 * PostgreSQL alike, without re-serialising anything.
 */
import { createHash } from 'node:crypto';

/** The hash a first row chains to. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  /** 1, 2, 3…: the row's place in the chain. */
  id: number;
  /** Milliseconds since the epoch. */
  at: number;
  /** Who: `admin`, `anonymous` (no admin key configured), `cli:<os user>`. */
  actor: string;
  /** From which address: the client's IP for the admin API, `local` for the CLI. */
  address: string;
  /** What, as `noun.verb`: `key.create`, `key.update`, `key.revoke`, `config.reload`… */
  action: string;
  /** What it was done to, e.g. a key id; null when the action has no single target. */
  target: string | null;
  /** Canonical JSON of the state before (null for a creation), secrets hashed. */
  before: string | null;
  /** Canonical JSON of the state after (null for a deletion), secrets hashed. */
  after: string | null;
  previous_hash: string;
  hash: string;
}

export type UnsealedEntry = Omit<AuditEntry, 'hash'>;

export function entryHash(entry: UnsealedEntry): string {
  const content = JSON.stringify([entry.id, entry.at, entry.actor, entry.address, entry.action, entry.target, entry.before, entry.after]);
  return createHash('sha256').update(entry.previous_hash).update('\n').update(content).digest('hex');
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const entry = (value as Record<string, unknown>)[key];
    if (entry !== undefined) sorted[key] = sortKeys(entry);
  }
  return sorted;
}

/** Field names whose values are credentials: `api_key`, `secret`, `password`, `token`, `key`… */
const SECRET_FIELD = /^(?:key|secret|password|passphrase|token|api_?key|private_key|client_secret|access_token|refresh_token|admin_key)$|(?:_secret|_password|_token|_api_key)$/i;

/**
 * A copy of `value` with every credential replaced by `sha256:<hex>`: the audit row shows that
 * a secret changed, and which, without holding it.
 */
export function hashSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hashSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    copy[key] = SECRET_FIELD.test(key) && typeof entry === 'string' && entry !== '' ? `sha256:${createHash('sha256').update(entry).digest('hex')}` : hashSecrets(entry);
  }
  return copy;
}
