/** Who is behind an admin request and from where, as the audit log records it. */
import type { IncomingMessage } from 'node:http';
import { userInfo } from 'node:os';

export interface AuditActor {
  actor: string;
  address: string;
}

/**
 * The caller of an admin API request. Authentication has already run: with an admin key
 * configured only its holder reaches /api/*, so the actor is `admin`; without one the admin
 * API is open and the actor is `anonymous`. The address is the peer of the connection (a
 * proxy's address when there is one in front; X-Forwarded-For is not trusted by default).
 */
export function adminRequestActor(request: IncomingMessage, adminKeyConfigured: boolean): AuditActor {
  return { actor: adminKeyConfigured ? 'admin' : 'anonymous', address: request.socket.remoteAddress ?? 'unknown' };
}

/** The person running a CLI command: the database is the authority there, so the OS user is named. */
export function cliActor(): AuditActor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep 'unknown'.
  }
  return { actor: `cli:${user}`, address: 'local' };
}
