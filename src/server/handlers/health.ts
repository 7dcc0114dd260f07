import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../request-context.js';

/** Liveness and a little readiness: 503 while draining so load balancers stop sending. */
export async function handleHealth(gateway: Gateway, context: RequestContext): Promise<void> {
  const status = gateway.draining ? 'draining' : 'ok';
  context.sendJson(gateway.draining ? 503 : 200, { status, models: gateway.registry.names().length, routes: gateway.routes.names().length });
}
