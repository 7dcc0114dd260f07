/**
 * OpenAI's models API: `GET /v1/models` lists every configured model and route a client may
 * send as `model`; `GET /v1/models/{id}` retrieves one (`client.models.retrieve`).
 */
import { ModelNotFoundError } from '../../errors/index.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../request-context.js';

interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  simulated?: true;
}

function describeModels(gateway: Gateway): ModelObject[] {
  const created = Math.floor(Date.now() / 1000);
  return [
    ...gateway.registry.all().map((model): ModelObject => ({
      id: model.name,
      object: 'model',
      created,
      owned_by: model.deployments[0]!.info.provider,
      ...(model.simulated ? { simulated: true as const } : {}),
    })),
    ...gateway.routes.names().map((name): ModelObject => ({ id: name, object: 'model', created, owned_by: 'switchboard-route' })),
  ];
}

export async function handleListModels(gateway: Gateway, context: RequestContext): Promise<void> {
  context.sendJson(200, { object: 'list', data: describeModels(gateway) });
}

export async function handleRetrieveModel(gateway: Gateway, context: RequestContext): Promise<void> {
  const id = context.params.id!;
  const model = describeModels(gateway).find((candidate) => candidate.id === id);
  if (!model) throw new ModelNotFoundError(id, [...gateway.registry.names(), ...gateway.routes.names()]);
  context.sendJson(200, model);
}
