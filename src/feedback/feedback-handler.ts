/**
 * POST /v1/feedback: end-user signals against a request the caller made, such as a thumbs up:
 *   {"request_id": "…", "metric": "thumbs_up", "value": true}
 * The value is a boolean (stored as 1 or 0) or a number. It is authenticated with the same key
 * as the request: a key can only give feedback on its own requests (the admin key on any), and a
 * request made with another key answers 404, as an unknown one does, so ids cannot be probed.
 * Feedback labels comparisons for training (`logs export --feedback`) and is averaged per arm
 * in experiment reports.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { InvalidRequestError, NotFoundError } from '../errors/index.js';
import { formatPath } from '../protocol/chat-request-schema.js';
import type { Gateway } from '../server/gateway.js';
import { readJson } from '../server/read-body.js';
import type { RequestContext } from '../server/request-context.js';

const feedbackBody = z.strictObject({
  request_id: z.string().min(1).max(200),
  metric: z.string().min(1).max(100),
  value: z.union([z.boolean(), z.number().finite()]),
});

export async function handleFeedback(gateway: Gateway, context: RequestContext): Promise<void> {
  const parsed = feedbackBody.safeParse(await readJson(context.request, 64 * 1024));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = issue.path.length > 0 ? formatPath(issue.path) : null;
    throw new InvalidRequestError(param ? `Invalid value for '${param}': ${issue.message}` : `Invalid request body: ${issue.message}`, param, 'invalid_value');
  }
  const { request_id: requestId, metric, value } = parsed.data;
  // The request may have finished a moment ago: its row must be written before it can be found.
  await gateway.logWriter.flush();
  const record = await gateway.store.find(requestId);
  const principal = context.principal;
  const callerKey = principal.kind === 'virtual-key' ? principal.key.id : null;
  if (!record || (principal.kind !== 'admin' && record.key_id !== callerKey)) {
    throw new NotFoundError(`No request with id '${requestId}' was made with this key.`);
  }
  const entry = {
    id: `fb_${randomBytes(9).toString('base64url')}`,
    request_id: requestId,
    key_id: record.key_id,
    metric,
    value: typeof value === 'boolean' ? (value ? 1 : 0) : value,
    created_at: Date.now(),
  };
  await gateway.learning.store.insertFeedback(entry);
  context.sendJson(200, { object: 'feedback', ...entry, created_at: new Date(entry.created_at).toISOString() });
}
