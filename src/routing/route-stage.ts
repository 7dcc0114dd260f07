/**
 * The pipeline's terminal step: resolve the `model` a client sent to a configured model or a
 * route, and run it. A model goes straight to the executor; a route decides (and a cascade or
 * pipeline route makes its several calls) through the same executor.
 */
import { ModelNotFoundError } from '../errors/index.js';
import type { ChatExecutor } from '../execution/chat-executor.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { ChatExchange } from '../pipeline/chat-exchange.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import type { RouteTable } from './route-table.js';

export interface RouteStageServices {
  registry: ModelRegistry;
  routes: RouteTable;
  executor: ChatExecutor;
}

export function routeAndExecute(services: RouteStageServices): (exchange: ChatExchange) => Promise<ChatOutcome> {
  const { registry, routes, executor } = services;
  return (exchange) => {
    const { request, scope } = exchange;
    const dispatch = { signal: scope.signal, attempts: scope.record.attempts, trace: scope.trace };
    const model = registry.get(request.model);
    if (model) return executor.execute(model, request, dispatch);
    const route = routes.get(request.model);
    if (!route) throw new ModelNotFoundError(request.model, [...registry.names(), ...routes.names()]);
    scope.baselineModel ??= route.strongModel;
    return route.run(request, { executor, dispatch, record: scope.record, httpHeaders: scope.httpHeaders });
  };
}
