/**
 * GET /api/health/deployments: every deployment's circuit state, recent failures, in-flight
 * calls, latency EWMA, last error and cooldown, so an operator can see why traffic moved.
 */
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../request-context.js';

export async function handleDeploymentHealth(gateway: Gateway, context: RequestContext): Promise<void> {
  const data = gateway.executor.dispatcher.health.report(gateway.registry.all());
  context.sendJson(200, { object: 'list', data });
}
