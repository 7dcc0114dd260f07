/** POST /v1/embeddings: validate, dispatch to the model, price and log. */
import { ModelNotFoundError } from '../../errors/index.js';
import { computeCost } from '../../cost/compute-cost.js';
import { parseEmbeddingsRequest } from '../../protocol/chat-request-schema.js';
import { readJson } from '../read-body.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../request-context.js';

export async function handleEmbeddings(gateway: Gateway, context: RequestContext): Promise<void> {
  const request = parseEmbeddingsRequest(await readJson(context.request, gateway.config.server.max_body_bytes));
  context.record.requested_model = request.model;
  context.record.end_user = request.user ?? null;
  const model = gateway.registry.get(request.model);
  if (!model) throw new ModelNotFoundError(request.model, gateway.registry.names());
  const result = await gateway.executor.dispatch(model, { signal: context.signal, attempts: context.record.attempts }, (deployment, timeouts, signal) =>
    deployment.provider.embed(request, { timeouts, signal }),
  );
  const promptTokens = result.value.usage?.prompt_tokens ?? 0;
  const cost = computeCost({ promptTokens, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, result.deployment.price);
  Object.assign(context.record, {
    served_model: result.model.name,
    provider: result.deployment.info.provider,
    deployment: result.deployment.id,
    prompt_tokens: promptTokens,
    cost_usd: cost,
  });
  context.sendJson(200, result.value, {
    'x-switchboard-model': result.model.name,
    'x-switchboard-provider': result.deployment.info.provider,
    'x-switchboard-cost-usd': cost.toFixed(8),
  });
}
