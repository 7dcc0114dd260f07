/**
 * POST /api/config/reload (admin): reads the config file again and swaps in its models, routes,
 * prices and limits (Gateway.reload). A bad config is refused with the same one-line error the
 * CLI prints, and the config already serving stays in place. A reload is on the audit log
 * (`config.reload`, the reloadable config before and after), by whoever asked.
 */
import { adminRequestActor } from '../../audit/audit-actor.js';
import { ConfigError } from '../../config/config-error.js';
import { InvalidRequestError } from '../../errors/index.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../request-context.js';

export async function handleConfigReload(gateway: Gateway, context: RequestContext): Promise<void> {
  try {
    const next = await gateway.reload(adminRequestActor(context.request, gateway.governance.adminKeyConfigured));
    context.sendJson(200, { object: 'config.reload', status: 'reloaded', models: next.registry.names(), routes: next.routes.names() });
  } catch (error) {
    if (error instanceof ConfigError) throw new InvalidRequestError(`The new configuration was refused; the previous one keeps serving. ${error.message}`, null, 'invalid_config');
    throw error;
  }
}
