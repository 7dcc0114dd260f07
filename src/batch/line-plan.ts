/**
 * Where each line of a batch runs, and the most it can cost there.
 *
 * Lines are grouped by the deployment they resolve to. A model whose (first) deployment's
 * provider has a batch API the gateway speaks (OpenAI, Anthropic, Gemini) forms a native group,
 * sent to that API and billed at its batch price; a learned route's line is decided here and
 * joins the native group of the model it chose. Everything else — OpenAI-compatible servers,
 * routes that decide by calling a model (cascades, pipelines) or by HTTP headers — forms a
 * paced group per model or route, run by the gateway through the normal pipeline.
 *
 * The estimate is what the batch's budget hold reserves for the line: the same upper bound
 * admission reserves for a live request (every billed input, and max_tokens or the model's
 * output ceiling), at the batch price for a native line. A paced line that may reach a model
 * with no known ceiling is capped where its estimate assumed, as admission caps a live one.
 */
import { billableInput, inputTokensOn } from '../governance/budgets/billable-input.js';
import { estimateReservation, reachableSteps, withFallbacks } from '../governance/budgets/reservation-estimate.js';
import { batchPrice, type ModelPrice } from '../cost/price-catalog.js';
import { countTokens } from '../cost/token-counter.js';
import { ModelNotFoundError } from '../errors/index.js';
import type { ModelRegistry, ResolvedDeployment, ResolvedModel } from '../models/model-registry.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../protocol/chat-types.js';
import type { BatchApi, BatchEndpoint } from '../providers/batch-api.js';
import { createBatchApi } from '../providers/create-provider.js';
import type { CallStep } from '../routing/route.js';
import type { RouteTable } from '../routing/route-table.js';
import type { HeldAmount } from '../governance/admission/batch-hold.js';
import type { InputLine } from './input-lines.js';

const NANO_USD = 1e9;
const TOKENIZER_MARGIN = 1.1;

export interface PlannedLine extends InputLine {
  group: string;
  reserved: HeldAmount;
}

export interface PlannedGroup {
  key: string;
  kind: 'native' | 'paced';
  model: string;
  deploymentId: string | null;
}

export interface PlanServices {
  registry: ModelRegistry;
  routes: RouteTable;
  native: boolean;
  defaultMaxOutputTokens: number;
  /**
   * True for a chat line a guardrail applies to (PII masking, a schema check): it runs paced,
   * through the pipeline's stages, since a provider's batch API would get it unmasked and unchecked.
   */
  guarded?: (request: ChatCompletionRequest) => boolean;
  /** Calls a guardrail may add to a line (schema repair and escalation), reserved with it. */
  extraSteps?: (request: ChatCompletionRequest) => CallStep[];
}

/** Plans every line, or throws 404 for a line naming no model or route (the caller reports its line). */
export function planLine(services: PlanServices, line: InputLine): { line: PlannedLine; group: PlannedGroup } {
  const name = line.request.model;
  const model = services.registry.get(name);
  if (!model && !services.routes.get(name)) throw new ModelNotFoundError(name, [...services.registry.names(), ...services.routes.names()]);
  const guarded = line.url !== '/v1/embeddings' && services.guarded?.(line.request as ChatCompletionRequest) === true;
  const target = guarded ? undefined : (model ?? (services.native ? decidedModel(services, name, line) : undefined));
  const native = target && services.native ? nativeDeployment(target, line.url) : undefined;
  if (native) {
    const group = { key: `native:${native.deployment.id}`, kind: 'native' as const, model: target!.name, deploymentId: native.deployment.id };
    const estimate = nativeEstimate(line, target!, native.deployment, services.defaultMaxOutputTokens);
    return { line: { ...line, request: estimate.request, group: group.key, reserved: estimate.reserved }, group };
  }
  const group = { key: `paced:${name}`, kind: 'paced' as const, model: name, deploymentId: null };
  if (line.url === '/v1/embeddings') return { line: { ...line, group: group.key, reserved: pacedEmbeddingsEstimate(services, line.request as EmbeddingsRequest) }, group };
  const request = line.request as ChatCompletionRequest;
  const steps = [...reachableSteps(name, services.registry, services.routes), ...(services.extraSteps?.(request) ?? [])];
  const estimate = estimateReservation(request, steps, services.defaultMaxOutputTokens);
  const capped = estimate.capOutputAt !== undefined && request.max_tokens == null && request.max_completion_tokens == null ? { ...request, max_tokens: estimate.capOutputAt } : request;
  return { line: { ...line, request: capped, group: group.key, reserved: { nanoUsd: Math.ceil(estimate.costUsd * NANO_USD), tokens: estimate.tokens } }, group };
}

/**
 * The model a route sends a chat line to, when the route decides from the request alone
 * (learned): such a line joins that model's native group, so `model: auto` lines get the batch
 * price too. Routes that need a call or the HTTP request to decide (cascade, rules on headers)
 * run their lines paced.
 */
function decidedModel(services: PlanServices, name: string, line: InputLine): ResolvedModel | undefined {
  if (line.url !== '/v1/chat/completions') return undefined;
  return services.routes.get(name)?.decideWithoutCall?.(line.request as ChatCompletionRequest).model;
}

/** The deployment a model's native batch goes to, with its batch API, when it has one for this endpoint. */
export function nativeDeployment(model: ResolvedModel, endpoint: BatchEndpoint): { deployment: ResolvedDeployment; api: BatchApi } | undefined {
  const deployment = model.deployments[0];
  if (!deployment || model.simulated) return undefined;
  const api = createBatchApi(deployment.info);
  return api?.endpoints.includes(endpoint) ? { deployment, api } : undefined;
}

/** A native line's most cost at the batch price; with no known output ceiling, the request is capped where the estimate assumed. */
function nativeEstimate(line: InputLine, model: ResolvedModel, deployment: ResolvedDeployment, defaultMaxOutputTokens: number): { reserved: HeldAmount; request: InputLine['request'] } {
  const price: ModelPrice | undefined = deployment.price ? batchPrice(deployment.price) : undefined;
  if (line.url === '/v1/embeddings') {
    const tokens = embeddingTokens(line.request as EmbeddingsRequest);
    return { reserved: { nanoUsd: Math.ceil(((tokens * (price?.input ?? 0)) / 1_000_000) * NANO_USD), tokens }, request: line.request };
  }
  let request = line.request as ChatCompletionRequest;
  const prompt = inputTokensOn(billableInput(request), deployment.info.model);
  let ceiling = request.max_completion_tokens ?? request.max_tokens ?? model.config.max_output_tokens ?? deployment.outputCeiling;
  if (ceiling === undefined) {
    ceiling = defaultMaxOutputTokens;
    request = { ...request, max_tokens: ceiling };
  }
  const output = ceiling * Math.max(1, request.n ?? 1);
  const costUsd = price ? (prompt * price.input + output * price.output) / 1_000_000 : 0;
  return { reserved: { nanoUsd: Math.ceil(costUsd * NANO_USD), tokens: prompt + output }, request };
}

function pacedEmbeddingsEstimate(services: PlanServices, request: EmbeddingsRequest): HeldAmount {
  const tokens = embeddingTokens(request);
  const model = services.registry.get(request.model);
  let costUsd = 0;
  for (const reachable of model ? withFallbacks([model], services.registry) : []) {
    for (const deployment of reachable.deployments) costUsd = Math.max(costUsd, (tokens * (deployment.price?.input ?? 0)) / 1_000_000);
  }
  return { nanoUsd: Math.ceil(costUsd * NANO_USD), tokens };
}

function embeddingTokens(request: EmbeddingsRequest): number {
  const inputs = typeof request.input === 'string' ? [request.input] : (request.input as unknown[]);
  let tokens = 0;
  for (const item of inputs) tokens += typeof item === 'string' ? countTokens(item) : Array.isArray(item) ? item.length : 1;
  return Math.ceil(tokens * TOKENIZER_MARGIN) + 8;
}
