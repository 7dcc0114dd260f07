/**
 * The request pipelines, built once per gateway from the config: the ordered stages every
 * inbound API runs, whatever wire format it speaks (docs/architecture.md draws them).
 *
 *   chat:       authenticate (HTTP) → admit → guard input → check output → route → execute,
 *               then settle and log once the answer is delivered (finish hooks, request-scope.ts)
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
import { guardInputStage } from '../guardrails/guard-input-stage.js';
import { checkOutputStage } from '../guardrails/check-output-stage.js';
import { SchemaCheckPlanner } from '../guardrails/schema/schema-check-plan.js';
import type { ExtraCallSteps } from '../governance/admission/admit-chat.js';
import type { PiiDetector } from '../guardrails/pii/entities.js';
import { PiiPolicy } from '../guardrails/pii/pii-policy.js';
import type { Principal } from '../governance/keys/authenticate.js';
import type { ChatCompletionRequest } from '../protocol/chat-types.js';
import type { CallStep } from '../routing/route.js';
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
  /** Replaces the built-in PII detectors (tests of a failing detector). */
  piiDetectors?: readonly PiiDetector[];
}

/** What stage factories get: the services, and where each request's levers come from. */
export interface StageServices extends PipelineServices {
  levers: LeverTable;
}

export type ChatStage = Stage<ChatExchange, ChatOutcome>;
/** Builds a stage from the config, or returns undefined when the stage is off. */
export type ChatStageFactory = (services: StageServices) => ChatStage | undefined;

/**
 * The chat stages, outermost first (docs/architecture.md explains the order).
 */
const CHAT_STAGES: readonly ChatStageFactory[] = [
  // Before admission, so the budget is reserved for the capped output. Always present: a key
  // created at runtime may carry a cap, and the stage costs a map read.
  (services) => outputCapStage(services.levers),
  (services) => admitStage(services.governance, schemaCheckSteps(services)),
  // Outside the cache: only masked requests are keyed and only masked answers stored.
  (services) => guardInputStage(services),
  (services) =>
    services.cache &&
    cacheStage({ config: services.config.cache, store: services.cache.store, semantic: services.cache.semantic, levers: services.levers, registry: services.registry, logger: services.logger }),
  // After the cache, so a trimmed request is still found under the conversation the client sent.
  // Always present, like the output cap: a key may carry a limit.
  (services) => contextStage(services),
  // Inside the cache, so only answers that passed their schema are stored; inside fit context,
  // so a repair turn carries the trimmed conversation.
  (services) => checkOutputStage(services),
  // Around route → execute: it needs the route's decision and the answer as it came back (a
  // cache hit never reaches it, so a cached answer is never shadowed).
  shadowStage,
  // Innermost, so the span describes the request as it goes upstream (after masking, trimming).
  (services) => traceStage(services.tracer),
];

/** The repair and escalation calls the check output stage may add, for admission to reserve; undefined when that stage is off. */
function schemaCheckSteps(services: PipelineServices): ExtraCallSteps | undefined {
  const planner = new SchemaCheckPlanner(services);
  return planner.active ? (request, requestedModel) => planner.extraSteps(request, requestedModel) : undefined;
}

/** What the guardrail stages would do to a chat request, for paths that plan before running it (batch lines). */
export interface GuardrailPreview {
  /** True when a PII check or a schema check applies: the request must run through the pipeline, not a provider's batch API. */
  applies(request: ChatCompletionRequest, principal: Principal): boolean;
  /** The repair and escalation calls a schema check may add, to reserve with the request. */
  extraSteps(request: ChatCompletionRequest): CallStep[];
}

export interface Pipelines {
  chat(exchange: ChatExchange): Promise<ChatOutcome>;
  readonly guardrails: GuardrailPreview;
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
    guardrails: guardrailPreview(services),
  };
}

function guardrailPreview(services: PipelineServices): GuardrailPreview {
  const pii = new PiiPolicy(services.config);
  const schema = new SchemaCheckPlanner(services);
  return {
    applies: (request, principal) => pii.guardFor(request.model, request.model, principal) !== undefined || (schema.active && schema.check(request, request.model) !== undefined),
    extraSteps: (request) => (schema.active ? schema.extraSteps(request, request.model) : []),
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
