/**
 * The `check output` stage: when a request asks for a JSON answer of a given schema
 * (`response_format: {type: "json_schema"}`, the Responses API's `text.format`) or its route sets
 * `output_schema`, the answer is validated (ajv, draft 2020-12) before the client sees it:
 *
 *   valid      the first answer matches
 *   repaired   a repair turn (the answer and the validator's errors, sent to the model that gave
 *              it; `repair_attempts`, default 1) produced one that matches
 *   escalated  after the repair turns, the route's strong model (or the model's first fallback),
 *              asked the original request once, answered one that matches
 *   invalid    none did: 502 `invalid_output`, or the last answer as it is with `on_invalid: pass`
 *
 * `x-switchboard-schema` names the verdict and the record's `guardrails` column keeps it. Every
 * attempt is priced, logged (`attempts`) and billed: the tokens of earlier attempts go on the
 * record, their cost into the answer's `extraCost`; admission reserved them up front
 * (schema-check-plan.ts). A streamed request is run whole, validated, then streamed by the
 * surface from the whole answer: the client gets a stream, but its first token waits for the
 * validation.
 */
import { InvalidOutputError } from '../errors/index.js';
import type { CompletedCall } from '../execution/chat-executor.js';
import type { ChatExchange } from '../pipeline/chat-exchange.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import { applyCost } from '../pipeline/outcome-record.js';
import type { ChatStage, PipelineServices } from '../pipeline/pipelines.js';
import type { ChatCompletionRequest } from '../protocol/chat-types.js';
import { attachNativeBody, nativeBodyOf } from '../protocol/native-body.js';
import { noteGuardrail } from './guardrail-verdicts.js';
import { describeSchemaErrors, repairMessage } from './schema/describe-schema-errors.js';
import { JsonSchemaValidator, type SchemaValidation } from './schema/json-schema-validator.js';
import { REPAIR_MESSAGE_CHARACTERS, SchemaCheckPlanner, type SchemaCheck } from './schema/schema-check-plan.js';

type Completed = Extract<ChatOutcome, { kind: 'completed' }>;
type Failed = Exclude<SchemaValidation, { valid: true }>;
type Verdict = 'valid' | 'repaired' | 'escalated' | 'invalid';

export function checkOutputStage(services: PipelineServices): ChatStage | undefined {
  const planner = new SchemaCheckPlanner(services);
  if (!planner.active) return undefined;
  const validator = new JsonSchemaValidator();
  return {
    name: 'check output',
    async run(exchange, next) {
      const original = exchange.request;
      const check = planner.check(original, exchange.scope.record.requested_model ?? original.model);
      if (!check) return next();
      const param = exchange.surface === 'responses' && check.param.startsWith('response_format') ? 'text.format.schema' : check.param;
      // A schema that does not compile is the client's 400, before anything is spent.
      validator.compile(check.schema, param);
      try {
        return await runChecked(exchange, next, check, (text) => validator.validate(check.schema, text, param));
      } finally {
        exchange.request = original;
      }
    },
  };
}

async function runChecked(exchange: ChatExchange, next: () => Promise<ChatOutcome>, check: SchemaCheck, validate: (text: string) => SchemaValidation): Promise<ChatOutcome> {
  const { scope } = exchange;
  const first = whole(exchange.request);
  /** Cost of the attempts before the one returned, added to its `extraCost`. */
  let spentBefore = 0;
  const attempt = async (request: ChatCompletionRequest): Promise<ChatOutcome> => {
    exchange.request = request;
    return next();
  };
  const supersede = (outcome: Completed) => {
    // Tokens now; the cost rides on the returned answer so its cost header counts every attempt.
    applyCost(scope, { ...outcome.call.cost, costUsd: 0 }, 0);
    spentBefore += outcome.call.cost.costUsd + outcome.extraCost;
  };

  let outcome = await attempt(first);
  if (outcome.kind !== 'completed') return outcome;
  try {
    let failure = checkAnswer(outcome.call, validate);
    let verdict: Verdict = 'valid';
    for (let repair = 0; failure && repair < check.repairAttempts; repair++) {
      supersede(outcome);
      const repaired = await attempt(repairRequest(first, outcome.call, failure));
      if (repaired.kind !== 'completed') return { ...repaired, extraCost: repaired.extraCost + spentBefore };
      outcome = repaired;
      failure = checkAnswer(outcome.call, validate);
      if (!failure) verdict = 'repaired';
    }
    if (failure && check.escalateTo && check.escalateTo !== outcome.call.model.name) {
      supersede(outcome);
      const escalated = await attempt({ ...first, model: check.escalateTo });
      if (escalated.kind !== 'completed') return { ...escalated, extraCost: escalated.extraCost + spentBefore };
      outcome = escalated;
      failure = checkAnswer(outcome.call, validate);
      if (!failure) verdict = 'escalated';
    }
    if (failure) verdict = 'invalid';
    scope.headers['x-switchboard-schema'] = verdict;
    noteGuardrail(scope.record, `schema=${verdict}`);
    if (failure && check.onInvalid === 'error') {
      // The last answer is billed here (the catch below adds the earlier ones): no surface will record it.
      applyCost(scope, outcome.call.cost, outcome.extraCost);
      throw new InvalidOutputError(describeSchemaErrors(failure.result));
    }
    return { ...outcome, extraCost: outcome.extraCost + spentBefore };
  } catch (error) {
    // A refusal, or a repair or escalation call that failed: the earlier answers were still paid for.
    scope.record.cost_usd += spentBefore;
    throw error;
  }
}

/**
 * The request as a whole answer: a stream cannot be validated before its first token goes out.
 * A pass-through body goes with it, also made whole, so the native path is kept.
 */
function whole(request: ChatCompletionRequest): ChatCompletionRequest {
  if (!request.stream) return request;
  const { stream: _stream, stream_options: _options, ...rest } = request;
  const copy: ChatCompletionRequest = rest;
  const native = nativeBodyOf(request);
  if (native) attachNativeBody(copy, { ...native, body: { ...native.body, stream: false } });
  return copy;
}

/** The first choice whose answer does not match, or undefined. Tool calls and refusals are not JSON answers and pass. */
function checkAnswer(call: CompletedCall, validate: (text: string) => SchemaValidation): { text: string; result: Failed } | undefined {
  for (const choice of call.completion.choices) {
    const { message } = choice;
    if (typeof message.refusal === 'string' && message.refusal !== '') continue;
    if (message.tool_calls && message.tool_calls.length > 0 && !message.content) continue;
    const text = typeof message.content === 'string' ? message.content : '';
    const result = validate(text);
    if (!result.valid) return { text, result };
  }
  return undefined;
}

/** The conversation so far, the invalid answer, and the validator's errors, to the model that gave it. */
function repairRequest(first: ChatCompletionRequest, call: CompletedCall, failure: { text: string; result: Failed }): ChatCompletionRequest {
  return {
    ...first,
    model: call.model.name,
    messages: [...first.messages, { role: 'assistant', content: failure.text }, { role: 'user', content: repairMessage(failure.result).slice(0, REPAIR_MESSAGE_CHARACTERS) }],
  };
}
