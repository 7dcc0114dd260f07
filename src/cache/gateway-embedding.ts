/**
 * Embeds a text with a configured embedding model, through the gateway's own reliability layer
 * (retries, fallbacks, cooldowns), for a semantic cache whose `embedding` names a model rather
 * than `local`. The call is one of the request's attempts, priced at the embedding model's input
 * price and added to the request's cost, so it is billed with it. The vector is normalised so
 * similarity is a dot product.
 */
import { ModelNotFoundError } from '../errors/index.js';
import type { ChatExecutor } from '../execution/chat-executor.js';
import type { ModelRegistry } from '../models/model-registry.js';
import { computeCost } from '../cost/compute-cost.js';
import type { Embed } from './semantic-cache.js';

export function embedThroughGateway(current: () => { registry: ModelRegistry; executor: ChatExecutor }): Embed {
  return async (text, name, scope) => {
    const { registry, executor } = current();
    const model = registry.get(name);
    if (!model) throw new ModelNotFoundError(name, registry.names());
    const { record } = scope;
    const result = await executor.dispatch(model, { signal: scope.signal, attempts: record.attempts, trace: scope.trace }, (deployment, options) => deployment.provider.embed({ model: name, input: text }, options));
    const promptTokens = result.value.usage?.prompt_tokens ?? 0;
    const costUsd = computeCost({ promptTokens, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, result.deployment.price);
    record.cost_usd += costUsd;
    const attempt = record.attempts[record.attempts.length - 1];
    if (attempt) {
      attempt.cost_usd = costUsd;
      attempt.prompt_tokens = promptTokens;
    }
    const values = result.value.data[0]?.embedding;
    if (!Array.isArray(values)) throw new Error(`the embedding model ${name} returned no float vector`);
    let norm = 0;
    for (const value of values) norm += value * value;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    return Float32Array.from(values, (value) => value * scale);
  };
}
