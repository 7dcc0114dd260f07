/**
 * `pipeline`: classify → solve → refine. A cheap model labels the request, the label picks
 * the solver, and an optional cheap model rewrites the solver's answer for the audience.
 * Only the last step streams; earlier steps are buffered because the next step needs them.
 */
import { ConfigError } from '../../config/config-error.js';
import type { ModelRegistry, ResolvedModel } from '../../models/model-registry.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import type { ChatOutcome } from '../../pipeline/chat-outcome.js';
import type { CallStep, Route, RouteRunContext } from '../route.js';
import { describeDecision, requireModel } from '../route-decision.js';
import type { RouteConfigOf } from '../route-schema.js';
import { lastUserText } from './conversation-text.js';

const CLASSIFIER_MAX_TOKENS = 10;

export class PipelineRoute implements Route {
  readonly strategy = 'pipeline';
  readonly name: string;
  readonly weakModel?: string;
  readonly strongModel?: string;
  private readonly classifier: ResolvedModel;
  private readonly solvers = new Map<string, ResolvedModel>();
  private readonly refiner?: ResolvedModel;
  private readonly classifierPrompt: string;
  readonly callPlan: readonly CallStep[];

  constructor(
    private readonly config: RouteConfigOf<'pipeline'>,
    registry: ModelRegistry,
  ) {
    this.name = config.name;
    this.weakModel = config.weak;
    this.strongModel = config.strong;
    this.classifier = requireModel(registry, config.name, 'classify.model', config.classify.model);
    for (const [label, model] of Object.entries(config.classify.classes)) {
      this.solvers.set(label.toLowerCase(), requireModel(registry, config.name, `classify.classes.${label}`, model));
    }
    if (!this.solvers.has(config.classify.default.toLowerCase())) {
      throw new ConfigError(`routes '${config.name}'.classify.default: '${config.classify.default}' is not one of the classes`);
    }
    if (config.refine) this.refiner = requireModel(registry, config.name, 'refine.model', config.refine.model);
    this.callPlan = [
      { models: [this.classifier], maxOutputTokens: CLASSIFIER_MAX_TOKENS },
      { models: [...new Set(this.solvers.values())] },
      ...(this.refiner ? [{ models: [this.refiner], includesPreviousAnswer: true }] : []),
    ];
    const labels = [...this.solvers.keys()].join(', ');
    this.classifierPrompt = `Classify the user's request into exactly one of these classes: ${labels}.${config.classify.instruction ? ` ${config.classify.instruction}` : ''} Reply with the class name only.`;
  }

  /** Finds the class the classifier named: an exact answer first, then the first label mentioned. */
  parseClass(answer: string): string | undefined {
    const normalised = answer.trim().toLowerCase().replace(/[^a-z0-9_\- ]/g, '');
    if (this.solvers.has(normalised)) return normalised;
    let best: { label: string; position: number } | undefined;
    for (const label of this.solvers.keys()) {
      const position = normalised.search(new RegExp(`\\b${label.replace(/[-]/g, '\\-')}\\b`));
      if (position !== -1 && (!best || position < best.position)) best = { label, position };
    }
    return best?.label;
  }

  async run(request: ChatCompletionRequest, context: RouteRunContext): Promise<ChatOutcome> {
    const classification = await context.executor.complete(
      this.classifier,
      {
        model: this.classifier.name,
        messages: [
          { role: 'system', content: this.classifierPrompt },
          { role: 'user', content: lastUserText(request.messages, 4000) },
        ],
        temperature: 0,
        max_tokens: CLASSIFIER_MAX_TOKENS,
      },
      context.dispatch,
    );
    const answer = classification.completion.choices[0]?.message.content ?? '';
    const parsed = this.parseClass(answer);
    const label = parsed ?? this.config.classify.default.toLowerCase();
    const solver = this.solvers.get(label)!;
    const headers = describeDecision(context, this.name, this.strategy, {
      model: solver,
      label: `class:${label}`,
      reason: parsed ? `classifier said '${answer.trim().slice(0, 40)}'` : `classifier answer '${answer.trim().slice(0, 40)}' named no class; default used`,
    });
    let extraCost = classification.cost.costUsd;
    headers['x-switchboard-pipeline'] = `class=${label}; solver=${solver.name}`;

    if (!this.refiner) return withExtraCost(await context.executor.execute(solver, request, context.dispatch, headers), extraCost);

    const solved = await context.executor.complete(solver, { ...request, stream: false, stream_options: undefined }, context.dispatch);
    const draft = solved.completion.choices[0]?.message;
    if (!draft?.content || (draft.tool_calls?.length ?? 0) > 0) {
      // Nothing to rewrite (a tool call or an empty answer): hand back the solver's answer.
      return { kind: 'completed', call: solved, extraCost, headers };
    }
    extraCost += solved.cost.costUsd;
    headers['x-switchboard-pipeline'] += `; refiner=${this.refiner.name}`;
    const refineRequest: ChatCompletionRequest = {
      ...request,
      model: this.refiner.name,
      tools: undefined,
      tool_choice: undefined,
      messages: [
        { role: 'system', content: this.config.refine!.instruction },
        { role: 'user', content: `Request:\n${lastUserText(request.messages, 8000)}\n\nDraft answer:\n${draft.content}\n\nRewrite the draft answer following the instructions. Reply with the rewritten answer only.` },
      ],
    };
    return withExtraCost(await context.executor.execute(this.refiner, refineRequest, context.dispatch, headers), extraCost);
  }
}

function withExtraCost(outcome: ChatOutcome, extraCost: number): ChatOutcome {
  outcome.extraCost = extraCost;
  return outcome;
}
