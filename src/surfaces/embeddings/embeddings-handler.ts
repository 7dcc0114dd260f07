/** POST /v1/embeddings: decode, run the embeddings pipeline (admission included), answer in OpenAI's shape. */
import { parseEmbeddingsRequest } from '../../protocol/chat-request-schema.js';
import type { Gateway } from '../../server/gateway.js';
import { readModelRequestJson } from '../../server/read-body.js';
import type { RequestContext } from '../../server/request-context.js';

export async function handleEmbeddings(gateway: Gateway, context: RequestContext): Promise<void> {
  const request = parseEmbeddingsRequest(await readModelRequestJson(context.request, gateway.config));
  const record = context.record;
  record.surface = 'embeddings';
  record.requested_model = request.model;
  record.end_user = request.user ?? null;
  const outcome = await gateway.pipelines.embeddings({ scope: context, request });
  context.sendJson(200, outcome.response, {
    'x-switchboard-model': outcome.model.name,
    'x-switchboard-provider': outcome.deployment.info.provider,
    'x-switchboard-cost-usd': outcome.costUsd.toFixed(8),
    ...(outcome.costEstimated ? { 'x-switchboard-cost-estimated': 'true' } : {}),
    ...(outcome.model.simulated ? { 'x-switchboard-simulated': 'true' } : {}),
  });
}
