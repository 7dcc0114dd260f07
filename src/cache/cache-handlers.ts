/**
 * `DELETE /api/cache` (admin): clears cached answers, all of them or those matching
 * `?key=<key id>` (that key's own entries, scope `key`), `?team=<name>` (scope `team`),
 * `?scope=global`, and/or `?model=<named model or route>`. Answers how many went.
 */
import { InvalidRequestError } from '../errors/index.js';
import type { Gateway } from '../server/gateway.js';
import type { HttpRoutes } from '../server/http-routes.js';
import type { RequestContext } from '../server/request-context.js';
import type { CacheClearFilter } from './cache-store.js';

export function addCacheRoutes(routes: HttpRoutes): void {
  routes.add('DELETE', '/api/cache', handleClearCache);
}

async function handleClearCache(gateway: Gateway, context: RequestContext): Promise<void> {
  const filter = clearFilter(context.query);
  if (!gateway.cache) return context.sendJson(200, { object: 'cache.cleared', deleted: 0, filter });
  const deleted = await gateway.cache.store.clear(filter);
  // The semantic index only points at entries; pointers to cleared ones would be dropped on use, but go now.
  gateway.cache.semantic.clear();
  context.sendJson(200, { object: 'cache.cleared', deleted, filter });
}

function clearFilter(query: URLSearchParams): CacheClearFilter {
  const key = query.get('key');
  const team = query.get('team');
  const scope = query.get('scope');
  const tenants = [key && `key:${key}`, team && `team:${team}`, scope === 'global' ? 'global' : null].filter((tenant): tenant is string => Boolean(tenant));
  if (scope !== null && scope !== 'global' && scope !== 'key' && scope !== 'team') throw new InvalidRequestError('scope must be key, team or global.', 'scope', 'invalid_value');
  if ((scope === 'key' && !key) || (scope === 'team' && !team)) throw new InvalidRequestError(`scope=${scope} needs ${scope}=<${scope === 'key' ? 'key id' : 'team name'}>.`, scope, 'missing_required_parameter');
  if (tenants.length > 1) throw new InvalidRequestError('Give one of key, team or scope=global.', 'scope', 'invalid_value');
  const filter: CacheClearFilter = {};
  if (tenants[0]) filter.tenant = tenants[0];
  const model = query.get('model');
  if (model) filter.model = model;
  return filter;
}
