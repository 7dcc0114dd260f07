/**
 * What a config reload changes, as the audit log keeps it before and after: models (with their
 * deployments, prices and fallbacks), routes, team and end-user budgets and limits, guardrails,
 * and the retry, timeout and cooldown policies. Storage, Redis, the admin key and the listening
 * address are read at startup only, so a reload cannot change them and they are left out.
 * Upstream API keys are hashed by the audit log itself (`hashSecrets`); header values, which
 * often carry a credential under a name it cannot know, are hashed here.
 */
import { createHash } from 'node:crypto';
import type { GatewayConfig } from '../config/schema.js';

export function reloadableConfig(config: GatewayConfig): Record<string, unknown> {
  return {
    models: config.models.map((model) => ({
      ...model,
      headers: hashedValues(model.headers),
      deployments: model.deployments?.map((deployment) => ({ ...deployment, headers: hashedValues(deployment.headers) })),
    })),
    routes: config.routes,
    governance: config.governance,
    guardrails: config.guardrails,
    retry: config.retry,
    timeouts: config.timeouts,
    cooldown: config.cooldown,
  };
}

function hashedValues(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, `sha256:${createHash('sha256').update(value).digest('hex')}`]));
}
