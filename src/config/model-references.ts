/**
 * Every place the config names a model (route fields, fallbacks), as key paths, so a name that
 * is not a configured model is reported at its own line before anything starts.
 */
import type { RouteConfig } from '../routing/route-schema.js';
import type { GatewayConfig } from './schema.js';

export interface ModelReference {
  path: Array<string | number>;
  name: string;
}

export function modelReferences(config: Pick<GatewayConfig, 'models' | 'routes'> & Partial<Pick<GatewayConfig, 'judge'>>): ModelReference[] {
  const references: ModelReference[] = [];
  for (const [index, model] of config.models.entries()) {
    for (const [position, fallback] of model.fallbacks.entries()) references.push({ path: ['models', index, 'fallbacks', position], name: fallback });
    if (model.context_window_fallback) references.push({ path: ['models', index, 'context_window_fallback'], name: model.context_window_fallback });
    if (model.content_filter_fallback) references.push({ path: ['models', index, 'content_filter_fallback'], name: model.content_filter_fallback });
  }
  for (const [index, route] of config.routes.entries()) {
    for (const [field, name] of routeModelFields(route)) references.push({ path: ['routes', index, ...field], name });
  }
  if (config.judge) references.push({ path: ['judge', 'model'], name: config.judge.model });
  return references;
}

/** The model names one route uses, by field path within the route. */
function routeModelFields(route: RouteConfig): Array<[Array<string | number>, string]> {
  const fields: Array<[Array<string | number>, string | undefined]> = [];
  switch (route.strategy) {
    case 'fixed':
      fields.push([['model'], route.model], [['strong'], route.strong]);
      break;
    case 'random':
    case 'learned':
      fields.push([['weak'], route.weak], [['strong'], route.strong]);
      break;
    case 'rules':
      route.rules.forEach((rule, index) => fields.push([['rules', index, 'model'], rule.model]));
      fields.push([['default'], route.default], [['weak'], route.weak], [['strong'], route.strong]);
      break;
    case 'cascade':
      fields.push([['weak'], route.weak], [['strong'], route.strong], [['checks', 'verifier', 'model'], route.checks.verifier?.model]);
      break;
    case 'pipeline':
      fields.push([['classify', 'model'], route.classify.model]);
      for (const [label, model] of Object.entries(route.classify.classes)) fields.push([['classify', 'classes', label], model]);
      fields.push([['refine', 'model'], route.refine?.model], [['weak'], route.weak], [['strong'], route.strong]);
      break;
  }
  return fields.filter((field): field is [Array<string | number>, string] => field[1] !== undefined);
}
