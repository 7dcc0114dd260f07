/**
 * The shadow stage: for a sampled request on a learned route with `shadow`, also call the model
 * the router did not choose. It wraps route → execute, so it sees the request as it goes
 * upstream (masked, trimmed) and the answer before it is unmasked. The shadow call starts as
 * soon as the served answer has started (beside a stream's delivery, after a whole completion)
 * and runs in the background: the caller's answer never waits for it, and its cost never
 * reaches the caller's record or budgets. Only sampled requests pay for watching their stream;
 * the stage is absent when no route has `shadow`.
 */
import { transformStream } from '../execution/chat-executor.js';
import { completionText } from '../execution/priced-call.js';
import type { ChatStage, PipelineServices } from '../pipeline/pipelines.js';
import type { ChatCompletionChunk } from '../protocol/chat-types.js';
import { promptTextFromMessages } from '../routing/learned/prompt-text.js';
import { LearnedRoute } from '../routing/strategies/learned-route.js';
import type { ServedAnswer } from './shadow-runner.js';

export function shadowStage(services: PipelineServices): ChatStage | undefined {
  const learning = services.learning;
  if (!learning) return undefined;
  const shadowed = new Map<string, LearnedRoute>();
  for (const name of services.routes.names()) {
    const route = services.routes.get(name);
    if (route instanceof LearnedRoute && route.shadow && !services.registry.get(name)) shadowed.set(name, route);
  }
  if (shadowed.size === 0) return undefined;
  const { runner } = learning;
  return {
    name: 'shadow',
    async run(exchange, next) {
      let outcome = await next();
      // The route that decided, read after it ran: an experiment's arm is a route of its own.
      const { scope } = exchange;
      const route = scope.record.route === null ? undefined : shadowed.get(scope.record.route);
      if (!route || !runner.admit(route.name, route.shadow!)) return outcome;
      const request = exchange.request;
      const served = scope.record.route_decision === 'strong' ? 'strong' : 'weak';
      let servedAnswer: Promise<ServedAnswer | undefined>;
      if (outcome.kind === 'completed') {
        // A whole completion is known now; no finish hook needed (a batch line may never run one).
        const { call } = outcome;
        servedAnswer = Promise.resolve({
          model: call.model.name,
          answer: completionText(call.completion.choices[0]?.message),
          latency_ms: scope.elapsedMs(),
          cost_usd: call.cost.costUsd + outcome.extraCost,
          prompt_tokens: call.cost.tokens.promptTokens,
          completion_tokens: call.cost.tokens.completionTokens,
        });
      } else {
        // A stream's text, cost and tokens are known once it is delivered: in a finish hook.
        const parts: string[] = [];
        const servedModel = outcome.stream.model.name;
        outcome = { ...outcome, stream: transformStream(outcome.stream, (chunks) => capture(chunks, parts)) };
        let deliver!: (answer: ServedAnswer | undefined) => void;
        servedAnswer = new Promise<ServedAnswer | undefined>((resolve) => (deliver = resolve));
        scope.onFinish(() => {
          const record = scope.record;
          const delivered = record.status < 400 && !scope.signal.aborted;
          deliver(
            delivered
              ? { model: servedModel, answer: parts.join(''), latency_ms: scope.elapsedMs(), cost_usd: record.cost_usd, prompt_tokens: record.prompt_tokens, completion_tokens: record.completion_tokens }
              : undefined,
          );
        });
      }
      runner.start({
        route: route.name,
        shadow: route.shadow!,
        review: route.review,
        requestId: scope.id,
        keyId: () => scope.record.key_id,
        prompt: promptTextFromMessages(request.messages),
        served,
        other: served === 'weak' ? route.strong : route.weak,
        request,
        executor: services.executor,
        registry: services.registry,
        defaultMaxOutputTokens: services.config.governance.default_max_output_tokens,
        servedAnswer,
        clientSignal: scope.signal,
      });
      return outcome;
    },
  };
}

async function* capture(chunks: AsyncIterable<ChatCompletionChunk>, parts: string[]): AsyncGenerator<ChatCompletionChunk> {
  for await (const chunk of chunks) {
    const content = chunk.choices?.[0]?.delta?.content;
    if (typeof content === 'string') parts.push(content);
    yield chunk;
  }
}
