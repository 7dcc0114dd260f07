/**
 * GET /api/comparisons (admin): a route's comparisons, newest first, with their labels.
 * Query: `route`, `limit` (1–1000, default 100). For a learned route, `curve` adds the what-if
 * curve of those comparisons (what-if-curve.ts).
 */
import { InvalidRequestError } from '../errors/index.js';
import type { Gateway } from '../server/gateway.js';
import type { HttpRoutes } from '../server/http-routes.js';
import type { RequestContext } from '../server/request-context.js';
import { LearnedRoute } from '../routing/strategies/learned-route.js';
import { comparisonLabel, type Comparison } from './comparison.js';
import { whatIfCurve } from './what-if-curve.js';

export function addComparisonRoutes(routes: HttpRoutes): void {
  routes.add('GET', '/api/comparisons', listComparisons);
}

async function listComparisons(gateway: Gateway, context: RequestContext): Promise<void> {
  const limit = limitParam(context.query, 100);
  const route = context.query.get('route') ?? undefined;
  const comparisons = await gateway.learning.store.list({ route, limit });
  const learned = route ? gateway.routes.get(route) : undefined;
  // For one learned route, the curve of what other thresholds would have given (the dashboard's what-if).
  const curve = learned instanceof LearnedRoute ? whatIfCurve(comparisons, (prompt) => learned.scoreText(prompt)) : undefined;
  context.sendJson(200, { object: 'list', data: comparisons.map(describeComparison), ...(curve ? { curve } : {}) });
}

/** `limit` from 1 to 1,000. */
export function limitParam(query: URLSearchParams, fallback: number): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidRequestError('limit must be an integer from 1 to 1000.', 'limit', 'invalid_value');
  return limit;
}

/** A comparison as the admin API shows it: its label (human first, then judge) beside the raw parts. */
export function describeComparison(comparison: Comparison) {
  const label = comparisonLabel(comparison);
  return {
    object: 'comparison',
    ...comparison,
    created_at: new Date(comparison.created_at).toISOString(),
    label: label?.label ?? null,
    label_source: label?.source ?? null,
  };
}
