/**
 * Refuses requests a web page could make on a user's behalf. A gateway on a laptop, bound to
 * loopback with no admin key, is reachable from every page the user's browser opens: a
 * `text/plain` POST from another origin needs no CORS preflight, and a DNS-rebinding page talks
 * to 127.0.0.1 under its own host name. So:
 *
 * - `Host` must name the gateway: a loopback name when it is bound to loopback, or one of
 *   `server.allowed_hosts` (any host when bound elsewhere and none are listed);
 * - `Origin`, where a browser sends one, must be the gateway's own or one of
 *   `server.cors_origins` (which also get CORS headers and preflight answers);
 * - JSON endpoints take `application/json` only (415 otherwise; read-body.ts).
 */
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors/index.js';

export interface RequestGuardSettings {
  host: string;
  allowed_hosts: readonly string[];
  cors_origins: readonly string[];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackAddress(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.') || host.endsWith('.localhost');
}

export class RequestGuard {
  private readonly allowedHosts: ReadonlySet<string> | undefined;
  private readonly corsOrigins: ReadonlySet<string>;
  private readonly anyCorsOrigin: boolean;

  constructor(settings: RequestGuardSettings) {
    const listed = settings.allowed_hosts.map((host) => host.toLowerCase());
    // Bound to loopback: only loopback names (plus any listed). Bound elsewhere: what is listed, or anything.
    this.allowedHosts = isLoopbackAddress(settings.host) ? new Set([...LOOPBACK_HOSTS, ...listed]) : listed.length > 0 ? new Set(listed) : undefined;
    this.corsOrigins = new Set(settings.cors_origins.map((origin) => origin.replace(/\/+$/, '').toLowerCase()));
    this.anyCorsOrigin = this.corsOrigins.has('*');
  }

  /** Throws a 403 for a request from a host or origin this gateway does not serve. */
  check(request: IncomingMessage): void {
    const hostHeader = request.headers.host ?? '';
    const hostName = hostNameOf(hostHeader);
    if (this.allowedHosts && !this.allowedHosts.has(hostName) && !hostName.endsWith('.localhost')) {
      throw new GatewayError(`Host '${hostHeader.slice(0, 100)}' is not served by this gateway. Add it to server.allowed_hosts to allow it.`, {
        status: 403, type: 'permission_error', code: 'host_not_allowed',
      });
    }
    const origin = request.headers.origin;
    if (origin === undefined) return;
    if (this.allowsOrigin(origin, hostHeader)) return;
    throw new GatewayError(`Cross-origin requests from '${origin.slice(0, 100)}' are refused. Add the origin to server.cors_origins to allow it.`, {
      status: 403, type: 'permission_error', code: 'origin_not_allowed',
    });
  }

  /** Same-origin (the page was served by this gateway) or a configured CORS origin. */
  allowsOrigin(origin: string, hostHeader: string): boolean {
    const normalised = origin.toLowerCase();
    if (this.anyCorsOrigin || this.corsOrigins.has(normalised)) return true;
    try {
      return new URL(normalised).host === hostHeader.toLowerCase();
    } catch {
      return false;
    }
  }

  /** CORS response headers for a configured cross-origin caller; none otherwise. */
  corsHeaders(request: IncomingMessage): Record<string, string> | undefined {
    const origin = request.headers.origin;
    if (!origin || this.corsOrigins.size === 0) return undefined;
    if (!this.anyCorsOrigin && !this.corsOrigins.has(origin.toLowerCase())) return undefined;
    return {
      'access-control-allow-origin': this.anyCorsOrigin ? '*' : origin,
      'access-control-allow-headers': 'authorization, content-type, x-api-key, anthropic-version, anthropic-beta, x-switchboard-tags, x-switchboard-cache, cache-control, traceparent',
      'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
      'access-control-expose-headers': 'x-request-id, x-switchboard-model, x-switchboard-provider, x-switchboard-cost-usd, x-switchboard-route, x-switchboard-guardrails, x-switchboard-schema, retry-after',
      'access-control-max-age': '600',
      vary: 'origin',
    };
  }
}

/** `example.com:4100` → `example.com`; `[::1]:4100` → `[::1]`. */
function hostNameOf(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  const colon = lower.lastIndexOf(':');
  return colon === -1 ? lower : lower.slice(0, colon);
}
