/**
 * POST /api/routes/{name}/reload (admin): a learned route reads its router file again and swaps
 * it in without a restart: the way a router retrained from the gateway's own logs is deployed.
 * Requests that have already decided finish as decided; the next decides with the new file. A
 * file that fails to load is refused with the reason, and the old router keeps serving. Both
 * outcomes go to the audit log (`route.router_swap`, `route.router_swap_refused`).
 */
import { adminRequestActor } from '../../audit/audit-actor.js';
import { InvalidRequestError, NotFoundError } from '../../errors/index.js';
import { LearnedRoute } from '../../routing/strategies/learned-route.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../request-context.js';

export async function handleRouteReload(gateway: Gateway, context: RequestContext): Promise<void> {
  const name = context.params.name!;
  const route = gateway.routes.get(name);
  if (!route) throw new NotFoundError(`No route named '${name}' (routes: ${gateway.routes.names().join(', ') || 'none'}).`);
  if (!(route instanceof LearnedRoute)) throw new InvalidRequestError(`Route '${name}' uses the ${route.strategy} strategy; only learned routes have a router file to reload.`, null, 'invalid_route');
  const actor = adminRequestActor(context.request, gateway.governance.adminKeyConfigured);
  const before = { router: route.routerPath, router_version: route.routerVersion };
  let swapped: { previous: string; version: string };
  try {
    swapped = route.reloadRouter();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await gateway.governance.audit.record('route.router_swap_refused', { ...actor, target: name, before, after: { reason } });
    gateway.logger.warn({ route: name, reason }, 'router reload refused; the previous router keeps serving');
    throw new InvalidRequestError(`The router file was refused; router ${before.router_version} keeps serving. ${reason}`, null, 'invalid_router');
  }
  const changed = swapped.version !== swapped.previous;
  if (changed) {
    await gateway.governance.audit.record('route.router_swap', { ...actor, target: name, before, after: { router: route.routerPath, router_version: swapped.version } });
    gateway.logger.info({ route: name, previous: swapped.previous, version: swapped.version }, 'router reloaded');
  }
  context.sendJson(200, { object: 'route.reload', route: name, status: changed ? 'reloaded' : 'unchanged', router_version: swapped.version, previous_version: swapped.previous });
}
