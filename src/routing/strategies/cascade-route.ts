/**
 * `cascade`: ask the weak model first and keep its answer when the checks pass; otherwise ask
 * the strong model. The weak answer is always buffered (never streamed) so it can be checked;
 * a streaming client then gets whichever answer was accepted. Both calls and both costs appear
 * in the response headers and in the log's attempts.
 */
import type { CompletedCall } from '../../execution/chat-executor.js';
import type { ModelRegistry, ResolvedModel } from '../../models/model-registry.js';
import type { ChatCompletionRequest } from '../../protocol/chat-types.js';
import { GatewayError } from '../../errors/index.js';
import type { ChatOutcome } from '../../pipeline/chat-outcome.js';
import type { CallStep, Route, RouteRunContext } from '../route.js';
import { describeDecision, requireModel } from '../route-decision.js';
import type { RouteConfigOf } from '../route-schema.js';
import { checkAnswer } from './answer-checks.js';
import { lastUserText } from './conversation-text.js';

const VERIFIER_MAX_TOKENS = 3;
const DEFAULT_VERIFIER_INSTRUCTION =
  'You check answers written by another assistant. Reply with exactly YES if the answer is correct, complete and responsive to the request, otherwise reply with exactly NO.';

export class CascadeRoute implements Route {
  readonly strategy = 'cascade';
  readonly name: string;
  readonly weakModel: string;
  readonly strongModel: string;
  private readonly weak: ResolvedModel;
  private readonly strong: ResolvedModel;
  private readonly verifier?: ResolvedModel;
  readonly callPlan: readonly CallStep[];

  constructor(
    private readonly config: RouteConfigOf<'cascade'>,
    registry: ModelRegistry,
  ) {
    this.name = config.name;
    this.weakModel = config.weak;
    this.strongModel = config.strong;
    this.weak = requireModel(registry, config.name, 'weak', config.weak);
    this.strong = requireModel(registry, config.name, 'strong', config.strong);
    if (config.checks.verifier) this.verifier = requireModel(registry, config.name, 'checks.verifier.model', config.checks.verifier.model);
    // The weak call, the verifier's (a few tokens, on the weak answer), and the strong call.
    this.callPlan = [
      { models: [this.weak] },
      ...(this.verifier ? [{ models: [this.verifier], maxOutputTokens: VERIFIER_MAX_TOKENS, includesPreviousAnswer: true }] : []),
      { models: [this.strong] },
    ];
  }

  async run(request: ChatCompletionRequest, context: RouteRunContext): Promise<ChatOutcome> {
    const weakRequest: ChatCompletionRequest = { ...request, stream: false, stream_options: undefined };
    if (this.config.checks.min_mean_logprob !== undefined) weakRequest.logprobs = true;

    let weakCall: CompletedCall | undefined;
    let failure: string | undefined;
    try {
      weakCall = await context.executor.complete(this.weak, weakRequest, context.dispatch);
      failure = checkAnswer(request, weakCall.completion, this.config.checks);
    } catch (error) {
      // A weak model that is down is one more reason to escalate; a request the upstream
      // rejects as invalid would fail on the strong model too.
      if (error instanceof GatewayError && !error.isRetryable) throw error;
      failure = `weak model failed: ${error instanceof GatewayError ? error.code : 'error'}`;
    }
    let verifierCost = 0;
    if (weakCall && failure === undefined && this.verifier) {
      const verdict = await this.verify(request, weakCall, context);
      verifierCost = verdict.cost;
      if (!verdict.accepted) failure = 'the verifier did not confirm the answer';
    }

    const weakCost = weakCall?.cost.costUsd ?? 0;
    if (weakCall && failure === undefined) {
      const headers = describeDecision(context, this.name, this.strategy, { model: this.weak, label: 'weak-accepted', reason: 'the weak answer passed every check' });
      headers['x-switchboard-cascade'] = `weak=${this.weak.name} accepted; weak_cost_usd=${weakCost.toFixed(8)}; verifier_cost_usd=${verifierCost.toFixed(8)}`;
      return { kind: 'completed', call: weakCall, extraCost: verifierCost, headers };
    }

    const headers = describeDecision(context, this.name, this.strategy, { model: this.strong, label: 'escalated', reason: failure! });
    headers['x-switchboard-cascade'] = `weak=${this.weak.name} rejected; weak_cost_usd=${weakCost.toFixed(8)}; verifier_cost_usd=${verifierCost.toFixed(8)}; strong=${this.strong.name}`;
    const outcome = await context.executor.execute(this.strong, request, context.dispatch, headers);
    outcome.extraCost = weakCost + verifierCost;
    return outcome;
  }

  private async verify(request: ChatCompletionRequest, weakCall: CompletedCall, context: RouteRunContext): Promise<{ accepted: boolean; cost: number }> {
    const instruction = this.config.checks.verifier?.instruction ?? DEFAULT_VERIFIER_INSTRUCTION;
    const answer = weakCall.completion.choices[0]?.message.content ?? '';
    const verification = await context.executor.complete(
      this.verifier!,
      {
        model: this.verifier!.name,
        messages: [
          { role: 'system', content: instruction },
          { role: 'user', content: `Request:\n${lastUserText(request.messages, 8000)}\n\nAnswer:\n${answer.slice(0, 8000)}\n\nIs the answer correct and complete? Reply YES or NO.` },
        ],
        temperature: 0,
        max_tokens: VERIFIER_MAX_TOKENS,
      },
      context.dispatch,
    );
    const verdict = (verification.completion.choices[0]?.message.content ?? '').trim().toUpperCase();
    return { accepted: verdict.startsWith('YES'), cost: verification.cost.costUsd };
  }
}
