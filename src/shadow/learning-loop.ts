/**
 * The learning loop's services, one per gateway: the comparison store (comparisons, reviews,
 * feedback), the shadow runner and the judge. Opened at startup on the database of
 * `storage.url`, like the request log; closed at shutdown after shadow work has drained.
 */
import type { ChatExecutor } from '../execution/chat-executor.js';
import type { CounterStore } from '../governance/counters/counter-store.js';
import { Judge } from '../judge/judge.js';
import type { Logger } from '../logging/logger.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { GatewayMetrics } from '../observability/metrics/gateway-metrics.js';
import { ComparisonStore } from './comparison-store.js';
import type { JudgeConfig } from './shadow-schema.js';
import { ShadowBudget } from './shadow-budget.js';
import { ShadowRunner } from './shadow-runner.js';

export interface LearningLoop {
  store: ComparisonStore;
  runner: ShadowRunner;
  judge: Judge;
  /** Lets shadow calls and judgements finish until `deadline`, cancels the rest, closes the store. */
  close(deadline: number): Promise<void>;
}

export interface LearningOptions {
  storageUrl: string;
  counters: CounterStore;
  logger: Logger;
  metrics: () => GatewayMetrics | undefined;
  /** The serving generation's judge config, models and executor (they change on reload). */
  current(): { judge: JudgeConfig | undefined; registry: ModelRegistry; executor: ChatExecutor };
}

export async function openLearningLoop(options: LearningOptions): Promise<LearningLoop> {
  const store = await ComparisonStore.open(options.storageUrl);
  const judge = new Judge({ current: options.current, logger: options.logger, get metrics() { return options.metrics(); }, recordCall: (call) => store.insertCall(call) });
  const budget = new ShadowBudget(options.counters, async (route, dayStart) => {
    const rows = await store.learningSpend(dayStart, dayStart + 86_400_000);
    return rows.find((row) => row.route === route)?.shadow_cost_usd ?? 0;
  });
  const runner = new ShadowRunner({ store, budget, judge, logger: options.logger, metrics: options.metrics });
  return {
    store,
    runner,
    judge,
    async close(deadline) {
      await runner.drain(deadline);
      await store.close();
    },
  };
}
