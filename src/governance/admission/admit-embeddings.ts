/**
 * Admission of an embeddings request (admission.ts): the same scope check, rate limits and
 * budget reservation as chat, so embeddings count against a key's budget. Their cost is input
 * tokens only, reserved at the priciest deployment the model or its fallbacks may use.
 */
import { randomUUID } from 'node:crypto';
import { countTokens, loadTokenizer } from '../../cost/token-counter.js';
import type { EmbeddingsRequest } from '../../protocol/chat-types.js';
import { scopesFor } from '../budgets/budget-scopes.js';
import { withFallbacks } from '../budgets/reservation-estimate.js';
import type { Principal } from '../keys/authenticate.js';
import { checkModelScope, NOTHING_TO_SETTLE, virtualKeyOf, type Admission, type AdmissionServices } from './admission.js';
import { acquireRate, budgetExceeded, planBudgets, releaseRate, seedCounters, settleHold } from './limit-hold.js';

const TOKENIZER_MARGIN = 1.1;

export async function admitEmbeddings(services: AdmissionServices, principal: Principal, request: EmbeddingsRequest): Promise<Admission> {
  const key = virtualKeyOf(principal);
  checkModelScope(key, request.model);
  const scopes = await scopesFor(key, request.user, services);
  if (scopes.length === 0) return NOTHING_TO_SETTLE;
  await loadTokenizer();
  const now = Date.now();
  const tokens = Math.ceil(inputTokens(request.input) * TOKENIZER_MARGIN) + 8;
  const model = services.registry.get(request.model);
  let costUsd = 0;
  for (const reachable of model ? withFallbacks([model], services.registry) : []) {
    for (const deployment of reachable.deployments) costUsd = Math.max(costUsd, (tokens * (deployment.price?.input ?? 0)) / 1_000_000);
  }
  const estimate = { costUsd, tokens };

  const rate = await acquireRate(services, scopes, tokens);
  const reservationId = randomUUID();
  const budgets = planBudgets(scopes, estimate, new Set(), now);
  try {
    await seedCounters(services, budgets);
    const result = await services.counters.reserve(reservationId, budgets.map((budget) => budget.counter), services.config.reservation_ttl_ms);
    if (!result.ok) throw budgetExceeded(budgets[result.index]!, result.used, now);
  } catch (error) {
    await releaseRate(services, rate).catch(() => {});
    throw error;
  }
  return {
    headers: rate.headers,
    async settle(finished) {
      try {
        await settleHold(services, reservationId, budgets, rate, finished);
      } catch (error) {
        services.logger.error({ err: error, reservationId }, 'budget settlement failed');
      }
    },
  };
}

/** Tokens of an embeddings input: text is counted, token arrays are their length. */
function inputTokens(input: EmbeddingsRequest['input']): number {
  if (typeof input === 'string') return countTokens(input);
  let total = 0;
  for (const item of input as unknown[]) {
    if (typeof item === 'string') total += countTokens(item);
    else if (Array.isArray(item)) total += item.length;
    else total += 1;
  }
  return total;
}
