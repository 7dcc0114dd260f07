/**
 * The pipeline's admission stage: scope, degradation, rate limits and a budget reservation
 * before the request goes anywhere (admission/), settled once the answer is delivered.
 */
import type { ChatExchange } from '../pipeline/chat-exchange.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import type { Stage } from '../pipeline/stage.js';
import type { Governance } from './governance.js';

export function admitStage(governance: Governance): Stage<ChatExchange, ChatOutcome> {
  return {
    name: 'admit',
    async run(exchange, next) {
      const { scope } = exchange;
      const admission = await governance.admitChat(scope, exchange.request);
      exchange.request = admission.request;
      if (admission.baselineModel) scope.baselineModel = admission.baselineModel;
      scope.onFinish(() => admission.settle(scope.record));
      return next();
    },
  };
}
