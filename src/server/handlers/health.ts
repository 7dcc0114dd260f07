/**
 * Health for load balancers and Kubernetes probes:
 *   GET /health        status, models and routes; 503 while draining
 *   GET /health/live   the process is up and answering (liveness)
 *   GET /health/ready  the store answers, at least one model is configured, and the gateway is
 *                      not draining (readiness: send traffic here)
 */
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../request-context.js';

export async function handleHealth(gateway: Gateway, context: RequestContext): Promise<void> {
  const status = gateway.draining ? 'draining' : 'ok';
  context.sendJson(gateway.draining ? 503 : 200, { status, models: gateway.registry.names().length, routes: gateway.routes.names().length });
}

export async function handleLive(_gateway: Gateway, context: RequestContext): Promise<void> {
  context.sendJson(200, { status: 'live' });
}

export async function handleReady(gateway: Gateway, context: RequestContext): Promise<void> {
  const problems: string[] = [];
  if (gateway.draining) problems.push('draining');
  if (gateway.registry.names().length === 0) problems.push('no model is configured');
  try {
    await gateway.store.ping();
  } catch (error) {
    problems.push(`the store does not answer: ${(error as Error).message.slice(0, 200)}`);
  }
  context.sendJson(problems.length === 0 ? 200 : 503, { status: problems.length === 0 ? 'ready' : 'not_ready', problems });
}
