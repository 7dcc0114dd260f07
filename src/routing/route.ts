/**
 * The contract of a route: a name clients send as `model` that runs a strategy to decide which
 * configured model answers. Simple strategies decide on one model and hand it to the executor;
 * cascade and pipeline make several calls. Either way the route fills in the record's route
 * fields, and says up front which calls it may make, so admission can reserve their cost.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ChatExecutor } from '../execution/chat-executor.js';
import type { ResolvedModel } from '../models/model-registry.js';
import type { RouteDecision } from './route-decision.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import type { ChatCompletionRequest } from '../protocol/chat-types.js';
import type { DispatchContext } from '../reliability/dispatcher.js';
import type { RequestRecord } from '../storage/request-record.js';

export interface RouteRunContext {
  executor: ChatExecutor;
  dispatch: DispatchContext;
  record: RequestRecord;
  httpHeaders: IncomingHttpHeaders;
}

/**
 * One upstream call a route may make, and the models that may serve it. Admission reserves,
 * for each step, the most the priciest of them could cost (fallbacks included).
 */
export interface CallStep {
  models: readonly ResolvedModel[];
  /** The call's own output cap (a classifier's 10 tokens); otherwise the request's. */
  maxOutputTokens?: number;
  /** The call's prompt carries the previous step's answer (a verifier, a refiner). */
  includesPreviousAnswer?: boolean;
  /** Prompt tokens the call adds to the request's own (a repair turn's instructions). */
  extraPromptTokens?: number;
}

export interface Route {
  readonly name: string;
  readonly strategy: string;
  /** The cheap and the flagship model of this route, when it has them (degradation, savings). */
  readonly weakModel?: string;
  readonly strongModel?: string;
  /** Every call a request on this route may make, in order. */
  readonly callPlan: readonly CallStep[];
  run(request: ChatCompletionRequest, context: RouteRunContext): Promise<ChatOutcome>;
  /**
   * The decision from the request alone, with no upstream call and no HTTP headers, for
   * strategies that can make it that way (learned). Batch planning uses it to send a routed
   * line to the chosen model's batch API; the same request always gets the same decision.
   */
  decideWithoutCall?(request: ChatCompletionRequest): RouteDecision;
}
