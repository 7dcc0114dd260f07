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
import type { ChatExchange } from './chat-exchange.js';
import type { ChatOutcome } from './chat-outcome.js';
import { embedStage, type EmbeddingsExchange, type EmbeddingsOutcome } from './embeddings-exchange.js';
import { compose, type Stage } from './stage.js';

export interface PipelineServices {
  config: GatewayConfig;
  registry: ModelRegistry;
  routes: RouteTable;
  executor: ChatExecutor;
  governance: Governance;
  logger: Logger;
  /** OpenTelemetry traces; undefined when telemetry is off. */
  tracer?: RequestTracer;
  /** Replaces the built-in PII detectors (tests of a failing detector). */
  piiDetectors?: readonly PiiDetector[];
}

export type ChatStage = Stage<ChatExchange, ChatOutcome>;
/** Builds a stage from the config, or returns undefined when the stage is off. */
export type ChatStageFactory = (services: PipelineServices) => ChatStage | undefined;

/**
 * The chat stages, outermost first. The next issues add theirs here, at their place: cache
 * lookup (after guard input, so only masked requests are keyed), fit context, cache store
 * (after check output, so only checked answers are kept), shadow.
 */
const CHAT_STAGES: readonly ChatStageFactory[] = [
  (services) => admitStage(services.governance, schemaCheckSteps(services)),
  (services) => guardInputStage(services),
  (services) => checkOutputStage(services),
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
  const chatStages = CHAT_STAGES.map((factory) => factory(services)).filter((stage): stage is ChatStage => stage !== undefined);
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
