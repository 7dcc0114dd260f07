/**
 * An embeddings request in the pipeline, its outcome, and the terminal step that runs it on
 * the named model through the reliability layer and prices it (input tokens only). Like chat,
 * the cost is `estimated` when the upstream reports no usage (we count the input ourselves,
 * rather than bill $0) or the model has no known price.
 */
import { computeCost } from '../cost/compute-cost.js';
import { countTokens } from '../cost/token-counter.js';
import { ModelNotFoundError } from '../errors/index.js';
import type { ChatExecutor } from '../execution/chat-executor.js';
import type { ModelRegistry, ResolvedDeployment, ResolvedModel } from '../models/model-registry.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../protocol/chat-types.js';
import type { RequestScope } from './request-scope.js';

export interface EmbeddingsExchange {
  readonly scope: RequestScope;
  request: EmbeddingsRequest;
}

export interface EmbeddingsOutcome {
  response: EmbeddingsResponse;
  model: ResolvedModel;
  deployment: ResolvedDeployment;
  costUsd: number;
  /** Counted by us (no usage reported) or billed $0 for want of a price. */
  costEstimated: boolean;
}

export function embedStage(services: { registry: ModelRegistry; executor: ChatExecutor }): (exchange: EmbeddingsExchange) => Promise<EmbeddingsOutcome> {
  const { registry, executor } = services;
  return async ({ scope, request }) => {
    const model = registry.get(request.model);
    if (!model) throw new ModelNotFoundError(request.model, registry.names());
    const result = await executor.dispatch(model, { signal: scope.signal, attempts: scope.record.attempts, trace: scope.trace }, (deployment, options) => deployment.provider.embed(request, options));
    const reported = result.value.usage?.prompt_tokens;
    const promptTokens = reported ?? inputTokens(request.input);
    const costEstimated = reported === undefined || result.deployment.price === undefined;
    const costUsd = computeCost({ promptTokens, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, result.deployment.price);
    const record = scope.record;
    record.served_model = result.model.name;
    record.provider = result.deployment.info.provider;
    record.deployment = result.deployment.id;
    record.prompt_tokens = promptTokens;
    record.cost_usd = costUsd;
    record.cost_estimated = costEstimated;
    const attempt = record.attempts[record.attempts.length - 1];
    if (attempt) {
      attempt.cost_usd = costUsd;
      attempt.prompt_tokens = promptTokens;
    }
    return { response: result.value, model: result.model, deployment: result.deployment, costUsd, costEstimated };
  };
}

/** Tokens of an embeddings input: text is counted with the tokenizer; token arrays are their length. */
function inputTokens(input: EmbeddingsRequest['input']): number {
  if (typeof input === 'string') return countTokens(input);
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') tokens += countTokens(item);
    else if (typeof item === 'number') tokens += 1;
    else tokens += item.length;
  }
  return tokens;
}
