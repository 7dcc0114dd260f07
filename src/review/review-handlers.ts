/**
 * The human review queue (admin):
 *   GET  /api/reviews?status=pending|reviewed&route=&limit=   comparisons queued by a route's `review.sample`
 *   POST /api/reviews/{id}   {"verdict": "weak_ok" | "strong_better" | "both_bad", "note"}
 * A verdict overrides the judge's label and is audited (`review.verdict`). Any comparison can be
 * given a verdict, queued or not.
 */
import { z } from 'zod';
import { adminRequestActor } from '../audit/audit-actor.js';
import { InvalidRequestError, NotFoundError } from '../errors/index.js';
import { formatPath } from '../protocol/chat-request-schema.js';
import type { Gateway } from '../server/gateway.js';
import type { HttpRoutes } from '../server/http-routes.js';
import { readJson } from '../server/read-body.js';
import type { RequestContext } from '../server/request-context.js';
import { REVIEW_VERDICTS } from '../shadow/comparison.js';
import { describeComparison, limitParam } from '../shadow/comparison-handlers.js';
import { recordVerdict } from './record-verdict.js';

const verdictBody = z.strictObject({
  verdict: z.enum(REVIEW_VERDICTS),
  note: z.string().max(10_000).nullable().optional(),
});

export function addReviewRoutes(routes: HttpRoutes): void {
  routes.add('GET', '/api/reviews', listReviews).add('POST', '/api/reviews/{id}', postVerdict);
}

async function listReviews(gateway: Gateway, context: RequestContext): Promise<void> {
  const status = context.query.get('status') ?? 'pending';
  if (status !== 'pending' && status !== 'reviewed') throw new InvalidRequestError("status must be 'pending' or 'reviewed'.", 'status', 'invalid_value');
  const reviews = await gateway.learning.store.reviews(status, limitParam(context.query, 100), context.query.get('route') ?? undefined);
  context.sendJson(200, { object: 'list', data: reviews.map(describeComparison) });
}

async function postVerdict(gateway: Gateway, context: RequestContext): Promise<void> {
  const parsed = verdictBody.safeParse(await readJson(context.request, 1024 * 1024));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.length > 0 ? formatPath(issue.path) : null;
    throw new InvalidRequestError(param ? `Invalid value for '${param}': ${issue.message}` : `Invalid request body: ${issue.message}`, param, 'invalid_value');
  }
  const id = context.params.id!;
  const actor = adminRequestActor(context.request, gateway.governance.adminKeyConfigured);
  const comparison = await recordVerdict(gateway.learning.store, gateway.governance.audit, actor, id, parsed.data.verdict, parsed.data.note ?? null);
  if (!comparison) throw new NotFoundError(`No comparison with id '${id}'.`);
  context.sendJson(200, describeComparison(comparison));
}
