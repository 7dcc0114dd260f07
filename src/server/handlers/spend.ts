/**
 * Spend and request-log reads. Both flush the log writer first, so what a client just sent is
 * always counted.
 */
import { parseTimeParameter } from './time-parameter.js';
import { InvalidRequestError } from '../../errors/index.js';
import { SPEND_GROUPS, type SpendGroup } from '../../storage/request-log-store.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../request-context.js';

export async function handleSpend(gateway: Gateway, context: RequestContext): Promise<void> {
  const groupBy = (context.query.get('group_by') ?? 'model') as SpendGroup;
  if (!SPEND_GROUPS.includes(groupBy)) {
    throw new InvalidRequestError(`group_by must be one of ${SPEND_GROUPS.join(', ')}.`, 'group_by', 'invalid_value');
  }
  const from = parseTimeParameter(context.query.get('from'), 'from');
  const to = parseTimeParameter(context.query.get('to'), 'to');
  await gateway.logWriter.flush();
  const rows = await gateway.store.spend({ groupBy, from, to });
  const totals = rows.reduce(
    (sum, row) => ({
      requests: sum.requests + row.requests,
      errors: sum.errors + row.errors,
      prompt_tokens: sum.prompt_tokens + row.prompt_tokens,
      completion_tokens: sum.completion_tokens + row.completion_tokens,
      total_tokens: sum.total_tokens + row.total_tokens,
      cost_usd: sum.cost_usd + row.cost_usd,
      baseline_cost_usd: sum.baseline_cost_usd + row.baseline_cost_usd,
      saved_usd: sum.saved_usd + row.saved_usd,
      saved_by_lever: {
        routing: sum.saved_by_lever.routing + row.saved_by_lever.routing,
        cache: sum.saved_by_lever.cache + row.saved_by_lever.cache,
        context: sum.saved_by_lever.context + row.saved_by_lever.context,
      },
      batch_requests: sum.batch_requests + row.batch_requests,
      batch_cost_usd: sum.batch_cost_usd + row.batch_cost_usd,
      batch_saved_usd: sum.batch_saved_usd + row.batch_saved_usd,
    }),
    { requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0, baseline_cost_usd: 0, saved_usd: 0, saved_by_lever: { routing: 0, cache: 0, context: 0 }, batch_requests: 0, batch_cost_usd: 0, batch_saved_usd: 0 },
  );
  // Shadow and judge calls are the gateway's own spending, on no caller's budget: reported apart.
  const learning = await gateway.learning.store.learningSpend(from, to);
  const shadow = {
    calls: learning.reduce((sum, row) => sum + row.shadow_calls, 0),
    cost_usd: learning.reduce((sum, row) => sum + row.shadow_cost_usd, 0),
    judge_calls: learning.reduce((sum, row) => sum + row.judge_calls, 0),
    judge_cost_usd: learning.reduce((sum, row) => sum + row.judge_cost_usd, 0),
    by_route: learning,
  };
  context.sendJson(200, { object: 'spend', group_by: groupBy, data: rows, totals, shadow });
}

export async function handleRecentRequests(gateway: Gateway, context: RequestContext): Promise<void> {
  const limit = Number(context.query.get('limit') ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new InvalidRequestError('limit must be an integer from 1 to 1000.', 'limit', 'invalid_value');
  }
  await gateway.logWriter.flush();
  context.sendJson(200, { object: 'list', data: await gateway.store.recent(limit) });
}

