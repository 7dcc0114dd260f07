/**
 * `experiment`: an A/B test between routes (or models). Each unit (an end user, a key, or a
 * header's value) is assigned an arm by a hash of the experiment's name and the unit, weighted,
 * so a unit stays on its arm across requests and instances with no shared state; a request with
 * no unit is assigned at random. The arm's route then runs as if called directly, so the request
 * log row names it in `route` (how reports tell arms apart), and the answer says which arm served
 * it in `x-switchboard-arm`. GET /api/experiments/{name} reports the arms (experiment-report.ts).
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../../config/config-error.js';
import type { ModelRegistry, ResolvedModel } from '../../models/model-registry.js';
import type { ChatOutcome } from '../../pipeline/chat-outcome.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { CallStep, Route, RouteRunContext } from '../route.js';
import type { RouteConfigOf } from '../route-schema.js';

export interface ExperimentArm {
  name: string;
  /** The route or model the arm sends requests to. */
  target: string;
  weight: number;
  route?: Route;
  model?: ResolvedModel;
}

export class ExperimentRoute implements Route {
  readonly strategy = 'experiment';
  readonly name: string;
  readonly sticky: string;
  readonly arms: readonly ExperimentArm[];
  readonly callPlan: readonly CallStep[];
  private readonly totalWeight: number;

  constructor(config: RouteConfigOf<'experiment'>, registry: ModelRegistry, resolveRoute: (name: string) => Route | undefined) {
    this.name = config.name;
    this.sticky = config.sticky;
    this.arms = config.arms.map((arm, index) => {
      const route = resolveRoute(arm.route);
      const model = route ? undefined : registry.get(arm.route);
      if (!route && !model) throw new ConfigError(`routes '${config.name}'.arms[${index}].route: '${arm.route}' is not a configured route or model`);
      if (route instanceof ExperimentRoute) throw new ConfigError(`routes '${config.name}'.arms[${index}].route: '${arm.route}' is an experiment; arms are routes or models`);
      return { name: arm.name, target: arm.route, weight: arm.weight, route, model };
    });
    this.totalWeight = this.arms.reduce((sum, arm) => sum + arm.weight, 0);
    // Admission reserves the most any arm may cost: step by step, every model any arm may use there.
    const plans = this.arms.map((arm) => (arm.route ? arm.route.callPlan : [{ models: [arm.model!] }]));
    const steps = Math.max(...plans.map((plan) => plan.length));
    this.callPlan = Array.from({ length: steps }, (_, index) => {
      const models = new Map<string, ResolvedModel>();
      for (const plan of plans) for (const model of plan[index]?.models ?? []) models.set(model.name, model);
      return { models: [...models.values()], includesPreviousAnswer: plans.some((plan) => plan[index]?.includesPreviousAnswer) };
    });
  }

  /** The unit a request belongs to, or undefined when it names none (then it is assigned at random). */
  unitOf(request: ChatCompletionRequest, context: RouteRunContext): string | undefined {
    if (this.sticky === 'user') return request.user ?? context.record.end_user ?? undefined;
    if (this.sticky === 'key') return context.record.key_id ?? undefined;
    const value = context.httpHeaders[this.sticky.slice('header:'.length)];
    return (Array.isArray(value) ? value[0] : value) || undefined;
  }

  /** The arm of a unit: the same for the same unit, on every instance. */
  assign(unit: string | undefined): ExperimentArm {
    const point = unit === undefined ? Math.random() : createHash('sha256').update(`${this.name}\u0000${unit}`).digest().readUInt32BE(0) / 2 ** 32;
    let cumulative = 0;
    for (const arm of this.arms) {
      cumulative += arm.weight / this.totalWeight;
      if (point < cumulative) return arm;
    }
    return this.arms[this.arms.length - 1]!;
  }

  async run(request: ChatCompletionRequest, context: RouteRunContext): Promise<ChatOutcome> {
    const arm = this.assign(this.unitOf(request, context));
    let outcome: ChatOutcome;
    if (arm.route) {
      outcome = await arm.route.run(request, context);
    } else {
      const { record } = context;
      record.route = arm.target;
      record.route_strategy = this.strategy;
      record.route_decision = `arm:${arm.name}`;
      record.route_reason = `experiment ${this.name}, sticky by ${this.sticky}`;
      outcome = await context.executor.execute(arm.model!, request, context.dispatch);
    }
    return { ...outcome, headers: { ...outcome.headers, 'x-switchboard-arm': arm.name, 'x-switchboard-experiment': this.name } };
  }
}
