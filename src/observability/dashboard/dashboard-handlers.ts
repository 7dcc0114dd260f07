/**
 * Admin API the dashboard reads (the admin key, once one is set):
 *   GET /api/timeseries?from=&to=&buckets=48       charts of a time range (time-series.ts)
 *   GET /api/routes                                 routes with their strategy, models and threshold
 *   GET /api/requests/search?key=&model=&route=&status=&from=&to=&q=&before=&limit=
 *   GET /api/requests/{id}                          one request, with its bodies where kept
 * Times are ms since the epoch or ISO dates.
 */
import { parseTimeParameter } from '../../server/handlers/time-parameter.js';
import { InvalidRequestError, NotFoundError } from '../../errors/index.js';
import type { Gateway } from '../../server/gateway.js';
import type { HttpRoutes } from '../../server/http-routes.js';
import type { RequestContext } from '../../server/request-context.js';
import { buildTimeSeries } from './time-series.js';

const DAY_MS = 86_400_000;

export function addDashboardRoutes(routes: HttpRoutes): void {
  routes
    .add('GET', '/api/timeseries', handleTimeSeries)
    .add('GET', '/api/routes', handleRoutes)
    .add('GET', '/api/requests/search', handleSearch)
    .add('GET', '/api/requests/{id}', handleRequestDetail);
}

async function handleTimeSeries(gateway: Gateway, context: RequestContext): Promise<void> {
  const to = parseTimeParameter(context.query.get('to'), 'to') ?? Date.now();
  let from = parseTimeParameter(context.query.get('from'), 'from') ?? to - DAY_MS;
  if (from >= to) throw new InvalidRequestError('from must be before to.', 'from', 'invalid_value');
  const buckets = parseInteger(context.query.get('buckets'), 'buckets', 1, 500) ?? 48;
  await gateway.logWriter.flush();
  const rows = await gateway.store.seriesRows(from, to);
  // from=0 is "all time": the buckets then start at the first request, not in 1970.
  if (from === 0) from = rows.length > 0 ? Number(rows[0]!.timestamp) : to - DAY_MS;
  context.sendJson(200, { object: 'timeseries', ...buildTimeSeries(rows, from, to, buckets) });
}

async function handleRoutes(gateway: Gateway, context: RequestContext): Promise<void> {
  const data = gateway.routes.names().map((name) => {
    const route = gateway.routes.get(name)! as { name: string; strategy: string; weakModel?: string; strongModel?: string; threshold?: number; routerVersion?: string; shadow?: { sample: number } };
    return {
      name,
      strategy: route.strategy,
      weak: route.weakModel ?? null,
      strong: route.strongModel ?? null,
      threshold: typeof route.threshold === 'number' ? route.threshold : null,
      // A learned route's router file version (it changes on reload) and its shadow-test share.
      router_version: route.routerVersion ?? null,
      shadow_sample: route.shadow?.sample ?? null,
    };
  });
  context.sendJson(200, { object: 'list', data });
}

async function handleSearch(gateway: Gateway, context: RequestContext): Promise<void> {
  const query = context.query;
  const text = (name: string) => query.get(name)?.trim() || undefined;
  const status = text('status');
  if (status !== undefined && !/^([1-5]\d\d|[1-5]xx|error)$/i.test(status)) {
    throw new InvalidRequestError('status must be a status code (429), a class (4xx) or error.', 'status', 'invalid_value');
  }
  await gateway.logWriter.flush();
  const data = await gateway.store.search({
    key_id: text('key'),
    model: text('model'),
    route: text('route'),
    status,
    from: parseTimeParameter(query.get('from'), 'from'),
    to: parseTimeParameter(query.get('to'), 'to'),
    before: parseTimeParameter(query.get('before'), 'before'),
    text: text('q'),
    limit: parseInteger(query.get('limit'), 'limit', 1, 1000) ?? 100,
  });
  context.sendJson(200, { object: 'list', data });
}

async function handleRequestDetail(gateway: Gateway, context: RequestContext): Promise<void> {
  await gateway.logWriter.flush();
  const record = await gateway.store.find(context.params.id!);
  if (!record) throw new NotFoundError(`No request with id '${context.params.id}'.`);
  context.sendJson(200, { object: 'request', ...record });
}

function parseInteger(value: string | null, name: string, min: number, max: number): number | undefined {
  if (value === null || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new InvalidRequestError(`${name} must be an integer from ${min} to ${max}.`, name, 'invalid_value');
  return number;
}

