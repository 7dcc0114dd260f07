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

export function modelReferences(config: Pick<GatewayConfig, 'models' | 'routes'> & Partial<Pick<GatewayConfig, 'judge' | 'cache'>>): ModelReference[] {
  const references: ModelReference[] = [];
  const embedding = config.cache?.semantic.embedding;
  if (embedding && embedding !== 'local') references.push({ path: ['cache', 'semantic', 'embedding'], name: embedding });
  // Cost levers name models too: the summary writer, a semantic layer's embedding model.
  const levers: Array<[Array<string | number>, { context?: { summarize_model?: string | undefined } | undefined; cache?: { semantic?: { embedding?: string | undefined } | undefined } | undefined }]> = [
    ...config.models.map((model, position): [Array<string | number>, typeof model] => [['models', position], model]),
    ...config.routes.map((route, position): [Array<string | number>, typeof route] => [['routes', position], route]),
  ];
  for (const [path, named] of levers) {
    if (named.context?.summarize_model) references.push({ path: [...path, 'context', 'summarize_model'], name: named.context.summarize_model });
    const levelEmbedding = named.cache?.semantic?.embedding;
    if (levelEmbedding && levelEmbedding !== 'local') references.push({ path: [...path, 'cache', 'semantic', 'embedding'], name: levelEmbedding });
  }
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
