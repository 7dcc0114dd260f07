/**
 * What a routing strategy decided, and the shared step that runs the request on the chosen
 * model and records the decision in the log and the response headers.
 */
import { ConfigError } from '../config/config-error.js';
import type { ModelRegistry, ResolvedModel } from '../models/model-registry.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import type { ChatCompletionRequest } from '../protocol/chat-types.js';
import type { RouteRunContext } from './route.js';

export interface RouteDecision {
  /** The configured model that answers. */
  model: ResolvedModel;
  /** Short label for reports: `weak`, `strong`, `rule:2`, a class name… */
  label: string;
  reason: string;
  score?: number;
}

export function describeDecision(context: RouteRunContext, routeName: string, strategy: string, decision: RouteDecision): Record<string, string> {
  const { record } = context;
  record.route = routeName;
  record.route_strategy = strategy;
  record.route_decision = decision.label;
  record.route_reason = decision.reason;
  record.router_score = decision.score ?? null;
  const headers: Record<string, string> = { 'x-switchboard-route': `${routeName}; strategy=${strategy}; decision=${decision.label}` };
  if (decision.score !== undefined) headers['x-switchboard-router-score'] = decision.score.toFixed(4);
  return headers;
}

/** Runs the request on the decided model, streaming or not, as the client asked. */
export function runDecision(request: ChatCompletionRequest, context: RouteRunContext, headers: Record<string, string>, decision: RouteDecision): Promise<ChatOutcome> {
  return context.executor.execute(decision.model, request, context.dispatch, headers);
}

/** Looks up a model a route names, failing at startup (not per request) when it is missing. */
export function requireModel(registry: ModelRegistry, routeName: string, field: string, modelName: string): ResolvedModel {
  const model = registry.get(modelName);
  if (!model) throw new ConfigError(`routes '${routeName}'.${field}: '${modelName}' is not a configured model (models: ${registry.names().join(', ') || 'none'})`);
  return model;
}
