/**
 * The request pipelines, built once per gateway from the config: the ordered stages every
 * inbound API runs, whatever wire format it speaks (docs/architecture.md draws them).
 *
 *   chat:       authenticate (HTTP) → admit → route → execute, then settle and log once the
 *               answer is delivered (finish hooks, request-scope.ts)
 *   embeddings: authenticate (HTTP) → admit → execute, then settle and log
 *
 * Optional stages slot in at their named places, in this order: guard input → cache lookup →
 * fit context → (route → execute) → check output → cache store → shadow. A stage whose config
 * is off returns no stage from its factory, so it is absent and costs nothing.
 */
import { cacheStage } from '../cache/cache-stage.js';
import type { ResponseCache } from '../cache/response-cache.js';
import type { GatewayConfig } from '../config/schema.js';
import type { ChatExecutor } from '../execution/chat-executor.js';
import { admitStage } from '../governance/admit-stage.js';
import type { Governance } from '../governance/governance.js';
import type { Logger } from '../logging/logger.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { RequestTracer } from '../observability/tracing/request-tracer.js';
import { traceStage } from '../observability/tracing/trace-stage.js';
import { routeAndExecute } from '../routing/route-stage.js';
import type { RouteTable } from '../routing/route-table.js';
import type { LearningLoop } from '../shadow/learning-loop.js';
import { shadowStage } from '../shadow/shadow-stage.js';
import type { ChatExchange } from './chat-exchange.js';
import type { ChatOutcome } from './chat-outcome.js';
import { embedStage, type EmbeddingsExchange, type EmbeddingsOutcome } from './embeddings-exchange.js';
import { LeverTable } from './lever-settings.js';
import { compose, type Stage } from './stage.js';
import { outputCapStage } from '../output-caps/output-cap-stage.js';
import { contextStage } from '../context/context-stage.js';

export interface PipelineServices {
  config: GatewayConfig;
  registry: ModelRegistry;
  routes: RouteTable;
  executor: ChatExecutor;
  governance: Governance;
  logger: Logger;
  /** OpenTelemetry traces; undefined when telemetry is off. */
  tracer?: RequestTracer;
  /** Shadow tests, the judge and their store (src/shadow); the shadow stage is absent without it. */
  learning?: LearningLoop;
  /** The response cache's store and semantic index; undefined when no config turns the cache on. */
  cache?: ResponseCache | undefined;
}

/** What stage factories get: the services, and where each request's levers come from. */
export interface StageServices extends PipelineServices {
  levers: LeverTable;
}

export type ChatStage = Stage<ChatExchange, ChatOutcome>;
/** Builds a stage from the config, or returns undefined when the stage is off. */
export type ChatStageFactory = (services: StageServices) => ChatStage | undefined;

/**
 * The chat stages, outermost first. The next issues add theirs here, at their place:
 * guard input (guardrails/), cache lookup and store (cache/), fit context (context/), check
 * output (guardrails/), shadow (shadow/).
 */
const CHAT_STAGES: readonly ChatStageFactory[] = [
  // Before admission, so the budget is reserved for the capped output. Always present: a key
  // created at runtime may carry a cap, and the stage costs a map read.
  (services) => outputCapStage(services.levers),
  (services) => admitStage(services.governance),
  (services) =>
    services.cache &&
    cacheStage({ config: services.config.cache, store: services.cache.store, semantic: services.cache.semantic, levers: services.levers, registry: services.registry, logger: services.logger }),
  // After the cache, so a trimmed request is still found under the conversation the client sent.
  // Always present, like the output cap: a key may carry a limit.
  (services) => contextStage(services),
  // Around route → execute: it needs the route's decision and the answer as it came back (a
  // cache hit never reaches it, so a cached answer is never shadowed).
  shadowStage,
  // Innermost, so the span describes the request as it goes upstream (after masking, trimming).
  (services) => traceStage(services.tracer),
];

export interface Pipelines {
  chat(exchange: ChatExchange): Promise<ChatOutcome>;
  embeddings(exchange: EmbeddingsExchange): Promise<EmbeddingsOutcome>;
  /** The chat stages in order, for /api/pipeline and the docs. */
  readonly chatStages: readonly string[];
}

export function buildPipelines(services: PipelineServices): Pipelines {
  const stageServices: StageServices = { ...services, levers: new LeverTable(services.config) };
  const chatStages = CHAT_STAGES.map((factory) => factory(stageServices)).filter((stage): stage is ChatStage => stage !== undefined);
  const embeddingStages = [admitEmbeddingsStage(services.governance)];
  return {
    chat: compose(chatStages, routeAndExecute(services)),
    embeddings: compose(embeddingStages, embedStage(services)),
    chatStages: [...chatStages.map((stage) => stage.name), 'route', 'execute'],
  };
}

function admitEmbeddingsStage(governance: Governance): Stage<EmbeddingsExchange, EmbeddingsOutcome> {
  return {
    name: 'admit',
    async run(exchange, next) {
      const admission = await governance.admitEmbeddings(exchange.scope, exchange.request);
      exchange.scope.onFinish(() => admission.settle(exchange.scope.record));
      return next();
    },
  };
}
