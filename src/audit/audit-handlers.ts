/**
 * GET /api/audit: the audit log, newest first (admin key needed once one is set, like all of
 * /api/*). Query: `limit` (1-1000, default 100), `before` (an id: rows older than it, for
 * paging), `action` (`key.update`), `target` (a key id). `before`/`after` come back as JSON
 * values; `hash` and `previous_hash` let a reader check the chain themselves.
 */
import { InvalidRequestError } from '../errors/index.js';
import type { Gateway } from '../server/gateway.js';
import type { RequestContext } from '../server/request-context.js';
import type { HttpRoutes } from '../server/http-routes.js';
import type { AuditEntry } from './audit-entry.js';

/** Adds GET /api/audit to the gateway's route table (server/routes.ts). */
export function addAuditRoutes(routes: HttpRoutes): void {
  routes.add('GET', '/api/audit', listAudit);
}

async function listAudit(gateway: Gateway, context: RequestContext): Promise<void> {
  const limit = integerParam(context.query, 'limit', 1, 1000) ?? 100;
  const beforeId = integerParam(context.query, 'before', 1, Number.MAX_SAFE_INTEGER);
  const entries = await gateway.governance.audit.list({
    limit,
    beforeId,
    action: context.query.get('action') ?? undefined,
    target: context.query.get('target') ?? undefined,
  });
  const last = entries[entries.length - 1];
  context.sendJson(200, {
    object: 'list',
    data: entries.map(describeEntry),
    has_more: entries.length === limit && last !== undefined && last.id > 1,
    next_before: entries.length === limit && last ? last.id : null,
  });
}

function describeEntry(entry: AuditEntry) {
  return {
    object: 'audit_entry',
    ...entry,
    at: new Date(entry.at).toISOString(),
    before: entry.before === null ? null : JSON.parse(entry.before),
    after: entry.after === null ? null : JSON.parse(entry.after),
  };
}

function integerParam(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidRequestError(`Invalid value for '${name}': expected an integer from ${min} to ${max}.`, name, 'invalid_value');
  return value;
}
