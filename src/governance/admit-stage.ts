/**
 * The pipeline's admission stage: scope, degradation, rate limits and a budget reservation
 * before the request goes anywhere (admission/), settled once the answer is delivered.
 */
import type { ChatExchange } from '../pipeline/chat-exchange.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import type { Stage } from '../pipeline/stage.js';
import { NOTHING_TO_SETTLE } from './admission/admission.js';
import type { ExtraCallSteps } from './admission/admit-chat.js';
import type { Governance } from './governance.js';

/** `extraSteps`: calls later stages may add (schema repair and escalation), reserved up front with the rest. */
export function admitStage(governance: Governance, extraSteps?: ExtraCallSteps): Stage<ChatExchange, ChatOutcome> {
  return {
    name: 'admit',
    // Not async: a caller nothing limits (no key with limits, no team, no end user) goes on at once.
    run(exchange, next) {
      if (governance.admitsFreely(exchange.scope, exchange.request)) return next();
      return admitThenRun(governance, exchange, next, extraSteps);
    },
  };
}

async function admitThenRun(governance: Governance, exchange: ChatExchange, next: () => Promise<ChatOutcome>, extraSteps: ExtraCallSteps | undefined): Promise<ChatOutcome> {
  const { scope } = exchange;
  const admission = await governance.admitChat(scope, exchange.request, extraSteps);
  exchange.request = admission.request;
  if (admission.baselineModel) scope.baselineModel = admission.baselineModel;
  // An unlimited caller holds nothing: no finish hook, so the log step has nothing to await.
  if (admission.settle !== NOTHING_TO_SETTLE.settle) scope.onFinish(() => admission.settle(scope.record));
  return next();
}
