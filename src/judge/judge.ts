/**
 * Grades a comparison with the configured judge model, off the request path: one chat
 * completion through the gateway's own executor (so retries, fallbacks and pricing apply), or
 * two with `swap_positions`, the pair shown in both orders and the verdicts averaged, which
 * cancels a judge's preference for the first (or second) answer. The label is the probability
 * that the strong answer is better. Each call is priced; the cost is stored with the label and
 * reported apart from callers' spend.
 */
import type { ChatExecutor } from '../execution/chat-executor.js';
import { completionText } from '../execution/priced-call.js';
import type { Logger } from '../logging/logger.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { GatewayMetrics } from '../observability/metrics/gateway-metrics.js';
import type { CancelSignal } from '../reliability/cancel-signal.js';
import type { Comparison, Judgement } from '../shadow/comparison.js';
import type { JudgeConfig } from '../shadow/shadow-schema.js';
import { newCallId, type LearningCall } from '../shadow/comparison-store.js';
import { judgeRequest, JUDGE_PROMPT_VERSION, parseWinner } from './judge-prompt.js';

export interface JudgeServices {
  /** Read per judgement, so a config reload changes the judge for the next one. */
  current(): { judge: JudgeConfig | undefined; registry: ModelRegistry; executor: ChatExecutor };
  logger: Logger;
  metrics?: GatewayMetrics;
  /** Logs each judge call with its price (the learning-call log that /api/spend reads). */
  recordCall?: (call: LearningCall) => Promise<void>;
}

type Side = 'weak' | 'strong';

export class Judge {
  constructor(private readonly services: JudgeServices) {}

  /** Whether this comparison is to be judged (the judge is on and the comparison sampled). */
  sampled(): boolean {
    const { judge } = this.services.current();
    return judge !== undefined && judge.sample > 0 && Math.random() < judge.sample;
  }

  /** Judges the pair; undefined when the judge is off or no call gave a verdict. */
  async judge(comparison: Comparison, signal?: CancelSignal): Promise<Judgement | undefined> {
    const { judge, registry, executor } = this.services.current();
    if (!judge) return undefined;
    const model = registry.get(judge.model);
    if (!model) return undefined;
    // Without swapping, a random order per comparison keeps position bias from leaning one way.
    const orders: Array<[Side, Side]> = judge.swap_positions ? [['weak', 'strong'], ['strong', 'weak']] : [Math.random() < 0.5 ? ['weak', 'strong'] : ['strong', 'weak']];
    let cost = 0;
    let calls = 0;
    const verdicts: string[] = [];
    const probabilities: number[] = [];
    for (const [first, second] of orders) {
      if (signal?.aborted) break;
      const request = judgeRequest(model.name, comparison.prompt, comparison[first].answer, comparison[second].answer);
      const started = performance.now();
      const logged = { cost: 0, prompt: 0, completion: 0, error: null as string | null };
      try {
        const call = await executor.complete(model, request, { signal, attempts: [] });
        calls++;
        cost += call.cost.costUsd;
        Object.assign(logged, { cost: call.cost.costUsd, prompt: call.cost.tokens.promptTokens, completion: call.cost.tokens.completionTokens });
        const winner = parseWinner(completionText(call.completion.choices[0]?.message));
        const preferred: Side | 'tie' | undefined = winner === 'tie' ? 'tie' : winner === '1' ? first : winner === '2' ? second : undefined;
        if (!preferred) {
          this.services.metrics?.judgeVerdict({ route: comparison.route, verdict: 'error' });
          verdicts.push('unreadable');
          logged.error = 'the verdict was not the JSON asked for';
          continue;
        }
        this.services.metrics?.judgeVerdict({ route: comparison.route, verdict: preferred });
        verdicts.push(preferred);
        probabilities.push(preferred === 'strong' ? 1 : preferred === 'weak' ? 0 : 0.5);
      } catch (error) {
        this.services.metrics?.judgeVerdict({ route: comparison.route, verdict: 'error' });
        this.services.logger.warn({ err: error, comparison: comparison.id }, 'judge call failed');
        verdicts.push('error');
        logged.error = signal?.aborted ? 'cancelled' : error instanceof Error ? error.message.slice(0, 500) : String(error);
      } finally {
        await this.services.recordCall?.({
          id: newCallId(),
          at: Date.now(),
          kind: 'judge',
          route: comparison.route,
          request_id: comparison.request_id,
          comparison_id: comparison.id,
          model: model.name,
          prompt_tokens: logged.prompt,
          completion_tokens: logged.completion,
          cost_usd: logged.cost,
          latency_ms: Math.round((performance.now() - started) * 100) / 100,
          error: logged.error,
        });
      }
    }
    if (probabilities.length === 0) return undefined;
    return {
      label: probabilities.reduce((sum, value) => sum + value, 0) / probabilities.length,
      model: model.name,
      prompt_version: JUDGE_PROMPT_VERSION,
      verdicts,
      calls,
      cost_usd: cost,
      at: Date.now(),
    };
  }
}
