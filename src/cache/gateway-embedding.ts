/**
 * Embeds a text with a configured embedding model, through the gateway's own reliability layer
 * (retries, fallbacks, cooldowns), for a semantic cache whose `embedding` names a model rather
 * than `local`. The vector is normalised so similarity is a dot product.
 */
import { ModelNotFoundError } from '../errors/index.js';
import type { ChatExecutor } from '../execution/chat-executor.js';
import type { ModelRegistry } from '../models/model-registry.js';
import { ClientSignal } from '../reliability/cancel-signal.js';
import type { Embed } from './semantic-cache.js';

export function embedThroughGateway(current: () => { registry: ModelRegistry; executor: ChatExecutor }): Embed {
  return async (text, name) => {
    const { registry, executor } = current();
    const model = registry.get(name);
    if (!model) throw new ModelNotFoundError(name, registry.names());
    const result = await executor.dispatch(model, { signal: new ClientSignal(), attempts: [] }, (deployment, timeouts, signal) => deployment.provider.embed({ model: name, input: text }, { timeouts, signal }));
    const values = result.value.data[0]?.embedding;
    if (!Array.isArray(values)) throw new Error(`the embedding model ${name} returned no float vector`);
    let norm = 0;
    for (const value of values) norm += value * value;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    return Float32Array.from(values, (value) => value * scale);
  };
}
