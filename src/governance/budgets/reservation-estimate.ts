/**
 * The most a request can cost, reserved before it goes upstream and settled to the actual cost
 * afterwards. It must be an upper bound on every path the request can take, or concurrent
 * requests overrun a budget together:
 *
 * - every call the request may make: a route's calls (a cascade's weak, verifier and strong
 *   calls, a pipeline's classifier, solver and refiner) are summed, step by step;
 * - every model a call may land on: the models a step may choose between, and their fallbacks
 *   (and context-window and content-filter fallbacks), the priciest deployment of each;
 * - every billed input (billable-input.ts), and the most output the call can produce: the
 *   request's `max_tokens`, else the model's configured or documented ceiling (what Anthropic
 *   is sent by default). Where no ceiling is known the gateway caps the request itself at
 *   `default_max_output_tokens` (`capOutputAt`), so the bound still holds.
 */
import type { ModelRegistry, ResolvedModel } from '../../models/model-registry.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { CallStep } from '../../routing/route.js';
import type { RouteTable } from '../../routing/route-table.js';
import { billableInput, inputTokensOn } from './billable-input.js';

export interface ReservationEstimate {
  /** Input tokens of one call on the priciest model. */
  promptTokens: number;
  /** The largest output any one call may produce. */
  maxOutputTokens: number;
  /** Tokens over every call: what token budgets and tpm limits hold. */
  tokens: number;
  costUsd: number;
  /** Set when a reachable model has no known output ceiling: cap the request's max_tokens here. */
  capOutputAt?: number;
}

/** The calls a request for `name` may make, each with every model it may land on; empty when `name` is unknown. */
export function reachableSteps(name: string, registry: ModelRegistry, routes: RouteTable): CallStep[] {
  const model = registry.get(name);
  const steps = model ? [{ models: [model] }] : (routes.get(name)?.callPlan ?? []);
  return steps.map((step) => ({ ...step, models: withFallbacks(step.models, registry) }));
}

/** The models and every model their failures can move the call to, transitively. */
export function withFallbacks(models: readonly ResolvedModel[], registry: ModelRegistry): ResolvedModel[] {
  const reached = new Map<string, ResolvedModel>();
  const visit = (model: ResolvedModel | undefined) => {
    if (!model || reached.has(model.name)) return;
    reached.set(model.name, model);
    const { fallbacks, context_window_fallback: contextFallback, content_filter_fallback: filterFallback } = model.config;
    for (const next of fallbacks) visit(registry.get(next));
    if (contextFallback) visit(registry.get(contextFallback));
    if (filterFallback) visit(registry.get(filterFallback));
  };
  for (const model of models) visit(model);
  return [...reached.values()];
}

export function estimateReservation(request: ChatCompletionRequest, steps: readonly CallStep[], defaultMaxOutputTokens: number): ReservationEstimate {
  const input = billableInput(request);
  const choices = Math.max(1, request.n ?? 1);
  const requested = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  let capOutputAt: number | undefined;
  let costUsd = 0;
  let tokens = 0;
  let promptTokens = 0;
  let maxOutputTokens = 0;
  let previousOutput = 0;
  for (const step of steps) {
    let stepCost = 0;
    let stepTokens = 0;
    let stepOutput = 0;
    for (const model of step.models) {
      let ceiling = step.maxOutputTokens ?? requested ?? outputCeiling(model);
      if (ceiling === undefined) {
        ceiling = defaultMaxOutputTokens;
        capOutputAt = defaultMaxOutputTokens;
      }
      const output = ceiling * choices;
      for (const deployment of model.deployments) {
        const prompt = inputTokensOn(input, deployment.info.model) + (step.includesPreviousAnswer ? previousOutput : 0) + (step.extraPromptTokens ?? 0);
        const price = deployment.price;
        const cost = price ? (prompt * price.input + output * price.output) / 1_000_000 : 0;
        stepCost = Math.max(stepCost, cost);
        stepTokens = Math.max(stepTokens, prompt + output);
        promptTokens = Math.max(promptTokens, prompt);
      }
      stepOutput = Math.max(stepOutput, output);
    }
    costUsd += stepCost;
    tokens += stepTokens;
    maxOutputTokens = Math.max(maxOutputTokens, stepOutput);
    previousOutput = stepOutput;
  }
  return { promptTokens, maxOutputTokens, tokens, costUsd, capOutputAt };
}

/** What one call to `model` may produce with no max_tokens: its configured cap, else every deployment's ceiling. */
function outputCeiling(model: ResolvedModel): number | undefined {
  if (model.config.max_output_tokens !== undefined) return model.config.max_output_tokens;
  let ceiling = 0;
  for (const deployment of model.deployments) {
    if (deployment.outputCeiling === undefined) return undefined;
    ceiling = Math.max(ceiling, deployment.outputCeiling);
  }
  return ceiling;
}
