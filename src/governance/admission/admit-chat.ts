/**
 * Admission of a chat request (admission.ts): the key's model scope, degradation near a budget,
 * rate limits, and a reservation at the most the request can cost on any path it may take
 * (reservation-estimate.ts). Degradation and the output cap return a rewritten copy of the
 * request; the original is never edited.
 */
import { randomUUID } from 'node:crypto';
import { loadTokenizer } from '../../cost/token-counter.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { CallStep } from '../../routing/route.js';
import type { RequestRecord } from '../../storage/request-record.js';
import { plainlyUnlimited, scopesFor, type Scope } from '../budgets/budget-scopes.js';
import { estimateReservation, reachableSteps, type ReservationEstimate } from '../budgets/reservation-estimate.js';
import { applyDegradation, decideDegradation, emptyPlan, type DegradationPlan } from '../degradation/degradation-plan.js';
import type { Principal } from '../keys/authenticate.js';
import { checkModelScope, NOTHING_TO_SETTLE, virtualKeyOf, type Admission, type AdmissionServices } from './admission.js';
import { acquireRate, budgetExceeded, planBudgets, releaseRate, scopeName, seedCounters, settleHold } from './limit-hold.js';

export interface ChatAdmission extends Admission {
  /** The request to run: the original, or a copy degraded or capped by admission. */
  request: ChatCompletionRequest;
  /** The model a degraded request would have used: its savings baseline. */
  baselineModel?: string;
}

/**
 * Calls a later stage may add to a request (a schema check's repair and escalation turns),
 * reserved with it. `requestedModel` is the name the client sent, before degradation replaced it.
 */
export type ExtraCallSteps = (request: ChatCompletionRequest, requestedModel: string) => readonly CallStep[];

/**
 * Admits, without waiting for anything, a caller no budget or limit can apply to (the common
 * case of a gateway without keys): the key's model scope is still checked. False when admission
 * needs `admitChat`.
 */
export function admitUnlimitedChat(principal: Principal, request: ChatCompletionRequest): boolean {
  const key = virtualKeyOf(principal);
  if (!plainlyUnlimited(key, request.user)) return false;
  checkModelScope(key, request.model);
  return true;
}

export async function admitChat(services: AdmissionServices, principal: Principal, request: ChatCompletionRequest, record: RequestRecord, extraSteps?: ExtraCallSteps): Promise<ChatAdmission> {
  const key = virtualKeyOf(principal);
  checkModelScope(key, request.model);
  const scopes = await scopesFor(key, request.user, services);
  // No budget or limit applies: nothing to hold, and nothing for the admit stage to settle.
  if (scopes.length === 0) return { request, headers: NOTHING_TO_SETTLE.headers, settle: NOTHING_TO_SETTLE.settle };
  // Reservations count prompt tokens with the real tokenizer. It loads once (~300 ms of CPU),
  // on the first limited request rather than at startup, so unlimited gateways never pay for it.
  await loadTokenizer();
  const now = Date.now();

  const originalModel = request.model;
  const plan = await planDegradation(services, scopes, request.model, now);
  let degraded = degrade(request, plan);
  let estimate = estimateFor(services, degraded.request, originalModel, extraSteps);

  const rate = await acquireRate(services, scopes, estimate.tokens);
  const reservationId = randomUUID();
  let budgets = planBudgets(scopes, estimate, plan.uncappedScopes, now);
  try {
    await seedCounters(services, budgets);
    let result = await services.counters.reserve(reservationId, budgets.map((budget) => budget.counter), services.config.reservation_ttl_ms);
    if (!result.ok) {
      const failed = budgets[result.index]!;
      // A `weak_only` policy turns "no room" into "weak model, past the cap" rather than a refusal.
      if (failed.scope.limits.degradation?.at_limit === 'weak_only' && !plan.uncappedScopes.has(scopeName(failed.scope))) {
        const weakOnly = decideDegradation([{ scope: failed.scope, share: 1 }], originalModel, services.registry, services.routes);
        plan.weakModel ??= weakOnly.weakModel;
        plan.strongModel ??= weakOnly.strongModel;
        if (plan.weakModel) plan.uncappedScopes.add(scopeName(failed.scope));
        plan.reasons.push(...weakOnly.reasons);
        degraded = degrade(request, plan);
        estimate = estimateFor(services, degraded.request, originalModel, extraSteps);
        budgets = planBudgets(scopes, estimate, plan.uncappedScopes, now);
        result = await services.counters.reserve(reservationId, budgets.map((budget) => budget.counter), services.config.reservation_ttl_ms);
      }
      if (!result.ok) throw budgetExceeded(budgets[result.index]!, result.used, now);
    }
  } catch (error) {
    await releaseRate(services, rate).catch(() => {});
    throw error;
  }

  const headers: Record<string, string> = { ...rate.headers };
  if (degraded.description) {
    headers['x-switchboard-degraded'] = degraded.description;
    record.degradation = degraded.description.slice(0, 500);
  }
  return {
    request: capped(degraded.request, estimate),
    headers,
    baselineModel: plan.weakModel ? plan.strongModel : undefined,
    async settle(finished) {
      try {
        await settleHold(services, reservationId, budgets, rate, finished);
      } catch (error) {
        // The hold expires after reservation_ttl_ms; better than failing a finished response.
        services.logger.error({ err: error, reservationId }, 'budget settlement failed');
      }
    },
  };
}

/** Degradation reads how full each budget is before deciding what to reserve. */
async function planDegradation(services: AdmissionServices, scopes: readonly Scope[], model: string, now: number): Promise<DegradationPlan> {
  const degradable = scopes.filter((scope) => scope.limits.degradation);
  if (degradable.length === 0) return emptyPlan();
  const probe = planBudgets(degradable, { costUsd: 0, tokens: 0 }, new Set(), now);
  await seedCounters(services, probe);
  const used = await services.counters.usage(probe.map((budget) => budget.counter.key));
  const usages = degradable.map((scope) => ({
    scope,
    share: Math.max(0, ...probe.map((budget, index) => (budget.scope === scope ? used[index]! / budget.counter.limit : 0))),
  }));
  return decideDegradation(usages, model, services.registry, services.routes);
}

function degrade(request: ChatCompletionRequest, plan: DegradationPlan): { request: ChatCompletionRequest; description?: string } {
  if (plan.reasons.length === 0) return { request };
  const copy = { ...request };
  return { request: copy, description: applyDegradation(copy, plan) };
}

function estimateFor(services: AdmissionServices, request: ChatCompletionRequest, requestedModel: string, extraSteps: ExtraCallSteps | undefined): ReservationEstimate {
  const steps = reachableSteps(request.model, services.registry, services.routes);
  if (extraSteps) steps.push(...extraSteps(request, requestedModel));
  return estimateReservation(request, steps, services.config.default_max_output_tokens);
}

/** A request that may reach a model with no known output ceiling is capped where its reservation assumed. */
function capped(request: ChatCompletionRequest, estimate: ReservationEstimate): ChatCompletionRequest {
  if (estimate.capOutputAt === undefined || request.max_tokens != null || request.max_completion_tokens != null) return request;
  return { ...request, max_tokens: estimate.capOutputAt };
}
