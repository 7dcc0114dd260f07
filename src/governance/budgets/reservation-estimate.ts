/**
 * The most a request can cost, reserved before it goes upstream: its prompt tokens at the
 * input price plus the most output it may produce (max_tokens, else the model's output limit,
 * else a default) at the output price. Settled to the actual cost afterwards.
 */
import { countPromptTokens } from '../../cost/token-counter.js';
import type { ModelPrice } from '../../cost/price-catalog.js';
import type { ModelRegistry, ResolvedModel } from '../../models/model-registry.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { RouteTable } from '../../routing/route-table.js';

export interface ReservationEstimate {
  promptTokens: number;
  maxOutputTokens: number;
  tokens: number;
  costUsd: number;
}

/** Models a request may be served by: the model itself, or a route's weak and strong models. */
export function candidateModels(name: string, registry: ModelRegistry, routes: RouteTable): ResolvedModel[] {
  const model = registry.get(name);
  if (model) return [model];
  const route = routes.get(name);
  if (!route) return [];
  const names = [route.strongModel, route.weakModel].filter((candidate): candidate is string => Boolean(candidate));
  const models = names.map((candidate) => registry.get(candidate)).filter((candidate): candidate is ResolvedModel => Boolean(candidate));
  // A route that names no models could pick any: reserve at the most expensive one.
  return models.length > 0 ? models : registry.all();
}

export function estimateReservation(
  request: ChatCompletionRequest,
  registry: ModelRegistry,
  routes: RouteTable,
  defaultMaxOutputTokens: number,
): ReservationEstimate {
  // Counted with the real tokenizer (loaded at startup when governance is on), plus a margin
  // for providers whose tokenizers count a little differently.
  const promptTokens = Math.ceil(countPromptTokens(request.messages) * 1.1) + 8;
  const models = candidateModels(request.model, registry, routes);
  const route = registry.get(request.model) ? undefined : routes.get(request.model);
  const choices = Math.max(1, request.n ?? 1);
  const requested = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const outputFor = (model: ResolvedModel) => (requested ?? model.config.max_output_tokens ?? defaultMaxOutputTokens) * choices;
  const costFor = (model: ResolvedModel) => priceOf(promptTokens, outputFor(model), model.price);
  const costs = models.map(costFor);
  // A cascade may call its weak model and then its strong one: reserve both.
  const costUsd = route?.strategy === 'cascade' ? costs.reduce((sum, cost) => sum + cost, 0) : Math.max(0, ...costs);
  const maxOutputTokens = Math.max(0, ...models.map(outputFor), requested ?? 0);
  const calls = route?.strategy === 'cascade' ? Math.max(1, models.length) : 1;
  return { promptTokens, maxOutputTokens, tokens: (promptTokens + maxOutputTokens) * calls, costUsd };
}

function priceOf(promptTokens: number, outputTokens: number, price: ModelPrice | undefined): number {
  if (!price) return 0;
  return (promptTokens * price.input + outputTokens * price.output) / 1_000_000;
}
