/**
 * Whether a request's answer is checked against a JSON schema, and what happens when it fails:
 * the schema (the route's `output_schema`, else the request's `response_format` / `text.format`
 * when `guardrails.json_schema.validate` is on), how many repair turns, where to escalate, and
 * whether a still invalid answer is an error. Read by the check output stage, and by admission,
 * which reserves the repair and escalation calls with the request (`extraSteps`), so a budget is
 * never overrun by the calls a schema failure adds.
 */
import type { GatewayConfig } from '../../config/schema.js';
import { withFallbacks } from '../../governance/budgets/reservation-estimate.js';
import type { ModelRegistry, ResolvedModel } from '../../models/model-registry.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { CallStep } from '../../routing/route.js';
import type { RouteConfig } from '../../routing/route-schema.js';
import type { RouteTable } from '../../routing/route-table.js';
import type { JsonSchemaGuardrailConfig } from '../guardrails-schema.js';
import { requestedSchema } from './requested-schema.js';

/** The most a repair turn's instructions add to the prompt: the message is cut at REPAIR_MESSAGE_CHARACTERS. */
export const REPAIR_PROMPT_TOKENS = 1200;
export const REPAIR_MESSAGE_CHARACTERS = 3000;

export interface SchemaCheck {
  schema: object;
  /** Where the schema came from, for a 400 about the schema itself. */
  param: string;
  repairAttempts: number;
  onInvalid: 'error' | 'pass';
  /** The model asked once more after the repair turns; undefined when there is none. */
  escalateTo: string | undefined;
}

export interface SchemaCheckServices {
  config: Pick<GatewayConfig, 'guardrails' | 'routes'>;
  registry: ModelRegistry;
  routes: RouteTable;
}

export class SchemaCheckPlanner {
  private readonly routeConfigs: Map<string, RouteConfig>;
  private readonly global: JsonSchemaGuardrailConfig;
  /** Each route's settings, its own fields over the global ones; merged once, not per request. */
  private readonly routeSettings = new Map<string, JsonSchemaGuardrailConfig>();

  constructor(private readonly services: SchemaCheckServices) {
    this.global = services.config.guardrails.json_schema;
    this.routeConfigs = new Map(services.config.routes.map((route) => [route.name, route]));
    for (const route of services.config.routes) {
      const own = route.guardrails?.json_schema;
      if (own) this.routeSettings.set(route.name, { ...this.global, ...definedFields(own) });
    }
  }

  /** False when no request can be checked: validation off and no route with an `output_schema`. */
  get active(): boolean {
    return this.global.validate || [...this.routeConfigs.values()].some((route) => route.output_schema !== undefined || route.guardrails?.json_schema?.validate === true);
  }

  /**
   * The check for a request, or undefined. `requestedModel` is the name the client sent: a route
   * keeps its schema and settings when degradation has replaced its name by a model.
   */
  check(request: ChatCompletionRequest, requestedModel: string): SchemaCheck | undefined {
    const route = this.routeConfigs.get(requestedModel) ?? this.routeConfigs.get(request.model);
    const settings = (route && this.routeSettings.get(route.name)) ?? this.global;
    let schema: { schema: object; param: string } | undefined;
    if (route?.output_schema) schema = { schema: route.output_schema, param: `routes.${route.name}.output_schema` };
    else if (settings.validate) schema = requestedSchema(request);
    if (!schema) return undefined;
    return { schema: schema.schema, param: schema.param, repairAttempts: settings.repair_attempts, onInvalid: settings.on_invalid, escalateTo: settings.escalate ? this.escalationTarget(route?.name ?? request.model) : undefined };
  }

  /** The repair and escalation calls a checked request may add, for its budget reservation. */
  extraSteps(request: ChatCompletionRequest, requestedModel: string): CallStep[] {
    const check = this.check(request, requestedModel);
    if (!check) return [];
    const { registry } = this.services;
    const steps: CallStep[] = [];
    const answering = withFallbacks(this.answeringModels(request.model), registry);
    for (let attempt = 0; attempt < check.repairAttempts; attempt++) steps.push({ models: answering, includesPreviousAnswer: true, extraPromptTokens: REPAIR_PROMPT_TOKENS });
    const escalation = check.escalateTo ? registry.get(check.escalateTo) : undefined;
    if (escalation) steps.push({ models: withFallbacks([escalation], registry) });
    return steps;
  }

  /** A route's strong model, or a model's first fallback; never the model that already answered. */
  private escalationTarget(name: string): string | undefined {
    const { registry, routes } = this.services;
    const target = routes.get(name)?.strongModel ?? registry.get(name)?.config.fallbacks[0];
    return target !== undefined && target !== name && registry.get(target) ? target : undefined;
  }

  /** Every model that may give a request's first answer: the model itself, or any a route may call. */
  private answeringModels(name: string): ResolvedModel[] {
    const model = this.services.registry.get(name);
    if (model) return [model];
    return (this.services.routes.get(name)?.callPlan ?? []).flatMap((step) => step.models);
  }
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
