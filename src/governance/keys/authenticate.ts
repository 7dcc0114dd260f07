/**
 * Who is calling. With an admin key configured, /api/* and /metrics need it and every other path but
 * /health needs it or a live virtual key. Without one, /api/* is open (local use on loopback)
 * and virtual keys are still honoured when presented, so their budgets apply.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AuthenticationError, PermissionError } from '../../errors/index.js';
import { KEY_PREFIX, type VirtualKey } from './virtual-key.js';

export type Principal = { kind: 'admin' } | { kind: 'virtual-key'; key: VirtualKey } | { kind: 'anonymous' };

/** The two principals without a key, shared by every request (never written to). */
export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });
const ADMIN: Principal = Object.freeze({ kind: 'admin' });

export interface Authenticator {
  adminKeyDigest: Buffer | undefined;
  findKey(secret: string): Promise<VirtualKey | undefined>;
}

const PUBLIC_PATHS = new Set(['/health', '/health/live', '/health/ready']);

export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim() || undefined;
  const apiKey = headers['api-key'] ?? headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey ? apiKey : undefined;
}

export function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Compares digests, so the comparison takes the same time whatever the guess. */
function isAdminKey(token: string, adminKeyDigest: Buffer): boolean {
  return timingSafeEqual(digest(token), adminKeyDigest);
}

export async function authenticate(authenticator: Authenticator, path: string, headers: IncomingHttpHeaders): Promise<Principal> {
  // The dashboard's files are public like a login page; what it shows comes from /api/*.
  if (PUBLIC_PATHS.has(path) || path === '/ui' || path.startsWith('/ui/')) return ANONYMOUS;
  const token = bearerToken(headers);
  const { adminKeyDigest } = authenticator;
  const adminPath = path.startsWith('/api/') || path === '/metrics';
  if (token && adminKeyDigest && isAdminKey(token, adminKeyDigest)) return ADMIN;
  if (adminPath && !adminKeyDigest) return ANONYMOUS;

  const key = token && (adminKeyDigest || token.startsWith(KEY_PREFIX)) ? await authenticator.findKey(token) : undefined;
  if (key?.revoked_at !== null && key?.revoked_at !== undefined) throw new AuthenticationError(`The API key ${key.key_hint} was revoked.`);
  if (adminPath) {
    if (key) throw new PermissionError('This endpoint needs the admin key; a virtual key cannot manage the gateway.', 'admin_key_required');
    throw new AuthenticationError(token ? 'Invalid admin key.' : 'This endpoint needs the admin key. Pass it as "Authorization: Bearer <admin key>".');
  }
  if (key) return { kind: 'virtual-key', key };
  if (token?.startsWith(KEY_PREFIX) || adminKeyDigest) {
    throw new AuthenticationError(token ? 'Incorrect API key provided. Use a virtual key from `switchboard keys create` or the admin key.' : undefined);
  }
  return ANONYMOUS;
}
