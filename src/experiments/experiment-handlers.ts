/**
 * GET /api/experiments/{name} (admin): an experiment route's report, per arm: requests, errors,
 * cost per request, p50 and p95 latency, the judge's win rate and the feedback mean, each with a
 * 95% confidence interval; each arm compared with the control, and whether any difference is
 * significant yet. Query: `from` (ms or a date), `feedback_metric` (only that metric's feedback).
 */
import { InvalidRequestError, NotFoundError } from '../errors/index.js';
import { ExperimentRoute } from '../routing/strategies/experiment-route.js';
import type { Gateway } from '../server/gateway.js';
import type { HttpRoutes } from '../server/http-routes.js';
import type { RequestContext } from '../server/request-context.js';
import { MIN_SAMPLES } from './experiment-statistics.js';
import { experimentReport } from './experiment-report.js';

export function addExperimentRoutes(routes: HttpRoutes): void {
  routes.add('GET', '/api/experiments/{name}', getExperiment);
}

async function getExperiment(gateway: Gateway, context: RequestContext): Promise<void> {
  const name = context.params.name!;
  const route = gateway.routes.get(name);
  if (!(route instanceof ExperimentRoute)) throw new NotFoundError(`No experiment named '${name}'.`);
  const fromText = context.query.get('from');
  const from = fromText === null || fromText === '' ? undefined : Number.isFinite(Number(fromText)) ? Number(fromText) : Date.parse(fromText);
  if (from !== undefined && Number.isNaN(from)) throw new InvalidRequestError('from must be a date (2026-11-01) or milliseconds since the epoch.', 'from', 'invalid_value');
  await gateway.logWriter.flush();
  const report = await experimentReport(route, { log: gateway.store, comparisons: gateway.learning.store }, { from, feedbackMetric: context.query.get('feedback_metric') ?? undefined });
  context.sendJson(200, {
    object: 'experiment',
    name,
    sticky: route.sticky,
    ...report,
    note: `95% intervals by normal approximation; a difference is called significant at p < 0.05 with at least ${MIN_SAMPLES} samples in each arm.`,
  });
}
