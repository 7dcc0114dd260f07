/**
 * Admin API for teams and end users (needs the admin key once one is set), one shape for both:
 *   GET  /api/teams               list, config and API entries, each with its spend this budget window
 *   POST /api/teams               create: {name, budget_usd, budget_tokens, budget_period, rpm, tpm, degradation}
 *   GET  /api/teams/info?name=    one
 *   POST /api/teams/update        {name, …limits to change; null removes one}
 *   POST /api/teams/delete        {name}
 * and the same under /api/end-users, where `name` is the `user` field requests carry.
 * Entries from the config file are listed with `source: "config"` and cannot be changed here
 * (409 defined_in_config). Every change is in the audit log (GET /api/audit).
 */
import { z } from 'zod';
import { adminRequestActor } from '../../audit/audit-actor.js';
import { InvalidRequestError } from '../../errors/index.js';
import type { Gateway } from '../../server/gateway.js';
import type { HttpRoutes } from '../../server/http-routes.js';
import type { RequestContext } from '../../server/request-context.js';
import { periodUsage, type KeyUsage } from '../keys/key-usage.js';
import { limitsEntrySchema, limitsUpdateSchema, type LimitsKind } from '../scope-limits/limits-entry.js';
import { apiPath, type ListedLimits } from '../scope-limits/limits-admin.js';
import { readAdminBody } from './admin-body.js';

const OBJECT: Record<LimitsKind, string> = { team: 'team', user: 'end_user' };
const LOG_GROUP: Record<LimitsKind, 'team' | 'user'> = { team: 'team', user: 'user' };

export function addLimitsRoutes(routes: HttpRoutes): void {
  for (const kind of ['team', 'user'] as const) {
    const path = apiPath(kind);
    routes
      .add('GET', path, (gateway, context) => listEntries(kind, gateway, context))
      .add('POST', path, (gateway, context) => createEntry(kind, gateway, context))
      .add('GET', `${path}/info`, (gateway, context) => entryInfo(kind, gateway, context))
      .add('POST', `${path}/update`, (gateway, context) => updateEntry(kind, gateway, context))
      .add('POST', `${path}/delete`, (gateway, context) => deleteEntry(kind, gateway, context));
  }
}

async function listEntries(kind: LimitsKind, gateway: Gateway, context: RequestContext): Promise<void> {
  const entries = await gateway.governance.limitsAdmin.list(kind);
  const usage = await usageOf(kind, gateway, entries);
  context.sendJson(200, { object: 'list', data: entries.map((entry) => describe(entry, usage.get(entry.name))) });
}

async function entryInfo(kind: LimitsKind, gateway: Gateway, context: RequestContext): Promise<void> {
  const name = context.query.get('name');
  if (!name) throw new InvalidRequestError('Pass the name as ?name=.', 'name', 'missing_required_parameter');
  const entry = await gateway.governance.limitsAdmin.get(kind, name);
  context.sendJson(200, describe(entry, (await usageOf(kind, gateway, [entry])).get(name)));
}

async function createEntry(kind: LimitsKind, gateway: Gateway, context: RequestContext): Promise<void> {
  const settings = await readAdminBody(context, limitsEntrySchema);
  context.sendJson(200, describe(await gateway.governance.limitsAdmin.create(kind, settings, actorOf(gateway, context))));
}

async function updateEntry(kind: LimitsKind, gateway: Gateway, context: RequestContext): Promise<void> {
  const update = await readAdminBody(context, limitsUpdateSchema);
  context.sendJson(200, describe(await gateway.governance.limitsAdmin.update(kind, update, actorOf(gateway, context))));
}

async function deleteEntry(kind: LimitsKind, gateway: Gateway, context: RequestContext): Promise<void> {
  const { name } = await readAdminBody(context, z.strictObject({ name: z.string().min(1) }));
  await gateway.governance.limitsAdmin.delete(kind, name, actorOf(gateway, context));
  context.sendJson(200, { object: OBJECT[kind], name, deleted: true });
}

function usageOf(kind: LimitsKind, gateway: Gateway, entries: ListedLimits[]): Promise<Map<string, KeyUsage>> {
  return periodUsage(gateway.store, LOG_GROUP[kind], entries.map((entry) => ({ id: entry.name, budget_period: entry.limits.budget_period })));
}

/** `{object, name, source, budget_usd…, usage: {window_start, window_end, cost_usd, tokens}}`. */
function describe(entry: ListedLimits, usage?: KeyUsage) {
  return {
    object: OBJECT[entry.kind],
    name: entry.name,
    source: entry.source,
    ...entry.limits,
    created_at: entry.created_at,
    updated_at: entry.updated_at,
    ...(usage ? { usage: { window_start: usage.window.start, window_end: usage.window.end, cost_usd: usage.costUsd, tokens: usage.tokens } } : {}),
  };
}

function actorOf(gateway: Gateway, context: RequestContext) {
  return adminRequestActor(context.request, gateway.governance.adminKeyConfigured);
}
