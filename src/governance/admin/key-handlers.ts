/**
 * Admin API for virtual keys (needs the admin key once one is set):
 *   POST /api/keys          create: {name, budget_usd, budget_tokens, budget_period, rpm, tpm, models, team, metadata, degradation} → {id, key}
 *   GET  /api/keys          list (?include_revoked=true)
 *   GET  /api/keys/info     one key (?id=)
 *   POST /api/keys/update   {id, …fields to change}
 *   POST /api/keys/revoke   {id}
 * The secret is in the create response only; lists show `key_hint`. Every change is recorded
 * in the audit log (GET /api/audit) with who made it and from which address.
 */
import { adminRequestActor } from '../../audit/audit-actor.js';
import { InvalidRequestError } from '../../errors/index.js';
import type { Gateway } from '../../server/gateway.js';
import type { RequestContext } from '../../server/request-context.js';
import type { HttpRoutes } from '../../server/http-routes.js';
import { describeKey, keySettingsSchema, keyUpdateSchema } from '../keys/virtual-key.js';
import { readAdminBody } from './admin-body.js';

export function addKeyRoutes(routes: HttpRoutes): void {
  routes
    .add('POST', '/api/keys', createKey)
    .add('GET', '/api/keys', listKeys)
    .add('GET', '/api/keys/info', keyInfo)
    .add('POST', '/api/keys/update', updateKey)
    .add('POST', '/api/keys/revoke', revokeKey);
}

async function createKey(gateway: Gateway, context: RequestContext): Promise<void> {
  const settings = await readAdminBody(context, keySettingsSchema);
  const { secret, key } = await gateway.governance.createKey(settings, actorOf(gateway, context));
  context.sendJson(200, { object: 'key', ...describeKey(key), key: secret });
}

async function listKeys(gateway: Gateway, context: RequestContext): Promise<void> {
  const keys = await gateway.governance.keys.list({ includeRevoked: context.query.get('include_revoked') === 'true' });
  context.sendJson(200, { object: 'list', data: keys.map((key) => ({ object: 'key', ...describeKey(key) })) });
}

async function keyInfo(gateway: Gateway, context: RequestContext): Promise<void> {
  const id = context.query.get('id');
  if (!id) throw new InvalidRequestError('Pass the key id as ?id=.', 'id', 'missing_required_parameter');
  const key = await gateway.governance.keys.get(id);
  if (!key) throw new InvalidRequestError(`No key with id '${id}'.`, 'id', 'not_found');
  context.sendJson(200, { object: 'key', ...describeKey(key) });
}

async function updateKey(gateway: Gateway, context: RequestContext): Promise<void> {
  const update = await readAdminBody(context, keyUpdateSchema);
  context.sendJson(200, { object: 'key', ...describeKey(await gateway.governance.updateKey(update, actorOf(gateway, context))) });
}

async function revokeKey(gateway: Gateway, context: RequestContext): Promise<void> {
  const { id } = await readAdminBody(context, keyUpdateSchema.pick({ id: true }));
  context.sendJson(200, { object: 'key', ...describeKey(await gateway.governance.revokeKey(id, actorOf(gateway, context))) });
}

function actorOf(gateway: Gateway, context: RequestContext) {
  return adminRequestActor(context.request, gateway.governance.adminKeyConfigured);
}
