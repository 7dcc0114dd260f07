import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../request-context.js';

/** OpenAI's model list: every configured model and route a client may send as `model`. */
export async function handleListModels(gateway: Gateway, context: RequestContext): Promise<void> {
  const created = Math.floor(Date.now() / 1000);
  const data = [
    ...gateway.registry.all().map((model) => ({
      id: model.name,
      object: 'model',
      created,
      owned_by: model.deployments[0]!.info.provider,
      ...(model.simulated ? { simulated: true } : {}),
    })),
    ...gateway.routes.names().map((name) => ({ id: name, object: 'model', created, owned_by: 'switchboard-route' })),
  ];
  context.sendJson(200, { object: 'list', data });
}
