/**
 * Context limits: a request whose input is longer than `max_input_tokens` (counted with the
 * real tokenizer) is refused, trimmed or summarised before it is routed, per the `context`
 * setting of its key, else its named model, else its named route:
 *
 * - `reject`: 400 `context_too_long`, naming the count and the limit.
 * - `trim`: the oldest whole turns go, until it fits (conversation-turns.ts keeps system and
 *   developer messages, the last `keep_last_turns` turns, and tool calls with their results).
 * - `summarize`: the same turns are replaced by one system message summarising them
 *   (summaries.ts); the summary call is priced, listed among the request's attempts and billed
 *   to the same key with the answer.
 *
 * Either way the answer says so: `x-switchboard-context: trimmed | summarized` and
 * `x-switchboard-context-removed-tokens`. What it saved — the removed tokens at the serving
 * model's input price, less the summary's cost — goes in the log as `context_saved_usd`.
 * When even the turns that must be kept are over the limit, the request is refused as with
 * `reject`, rather than sent to fail (or cost more) upstream.
 *
 * Then, limit or not, a request longer than its named model's `context_window` goes to the
 * model's `context_window_fallback` before any call (context-window.ts), and the answer names
 * it: `x-switchboard-context-fallback: <model>`.
 */
import { countPromptTokens, loadTokenizer } from '../cost/token-counter.js';
import { InvalidRequestError } from '../errors/index.js';
import type { ChatExecutor } from '../execution/chat-executor.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { ChatExchange } from '../pipeline/chat-exchange.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import type { LeverTable } from '../pipeline/lever-settings.js';
import type { Stage } from '../pipeline/stage.js';
import type { ChatMessage } from '../protocol/chat-types.js';
import type { ContextLimit } from './context-schema.js';
import { splitTurns, withoutTurns, type Conversation } from './conversation-turns.js';
import { SUMMARY_MAX_TOKENS, Summaries } from './summaries.js';
import { fitWindow } from './context-window.js';

export interface ContextServices {
  levers: LeverTable;
  registry: ModelRegistry;
  executor: ChatExecutor;
}

interface Fitted {
  messages: ChatMessage[];
  tokens: number;
  summaryCostUsd: number;
}

export function contextStage(services: ContextServices, summaries = new Summaries()): Stage<ChatExchange, ChatOutcome> {
  const { levers, registry, executor } = services;
  return {
    name: 'fit context',
    // Not async: a request with no limit and no window to fit adds no promise of its own.
    run(exchange, next) {
      const limit = limitFor(levers, exchange);
      const window = registry.get(exchange.request.model)?.config.context_window;
      if (!limit && window === undefined) return next();
      return fitThenRun(exchange, next, limit);
    },
  };

  async function fitThenRun(exchange: ChatExchange, next: () => Promise<ChatOutcome>, limit: ContextLimit | undefined): Promise<ChatOutcome> {
    await loadTokenizer();
    const { request, scope } = exchange;
    const original = countPromptTokens(request.messages);
    if (!limit || original <= limit.max_input_tokens) {
      exchange.request = fitWindow(request, original, registry);
      if (exchange.request !== request) scope.headers['x-switchboard-context-fallback'] = exchange.request.model;
      return next();
    }
    if (limit.policy === 'reject') throw tooLong(original, limit, request.model);

    const conversation = splitTurns(request.messages);
    const droppable = Math.max(0, conversation.turns.length - limit.keep_last_turns);
    const fitted = limit.policy === 'trim' ? trim(conversation, droppable, limit) : await summarize(conversation, droppable, limit, exchange);
    if (!fitted) throw tooLong(original, limit, request.model, true);

    exchange.request = fitWindow({ ...request, messages: fitted.messages }, fitted.tokens, registry);
    if (exchange.request.model !== request.model) scope.headers['x-switchboard-context-fallback'] = exchange.request.model;
    const removed = original - fitted.tokens;
    scope.headers['x-switchboard-context'] = limit.policy === 'trim' ? 'trimmed' : 'summarized';
    scope.headers['x-switchboard-context-removed-tokens'] = String(removed);
    const { record } = scope;
    scope.onFinish(() => {
      const price = record.served_model ? registry.get(record.served_model)?.price : undefined;
      if (price) record.context_saved_usd = (removed * price.input) / 1e6 - fitted.summaryCostUsd;
    });
    if (fitted.summaryCostUsd === 0) return next();
    try {
      const outcome = await next();
      return { ...outcome, extraCost: outcome.extraCost + fitted.summaryCostUsd };
    } catch (error) {
      // The summary was bought whatever happened next: it is billed either way.
      record.cost_usd += fitted.summaryCostUsd;
      throw error;
    }
  }

  async function summarize(conversation: Conversation, droppable: number, limit: ContextLimit, exchange: ChatExchange): Promise<Fitted | undefined> {
    if (droppable === 0) return undefined;
    const model = limit.summarize_model!;
    const keys = summaries.prefixKeys(model, conversation.turns.slice(0, droppable));
    // The longest prefix summarised before: reused as it is while the turns after it fit.
    let base = 0;
    let earlier: string | undefined;
    for (let prefix = droppable; prefix >= 1; prefix--) {
      const summary = summaries.get(keys[prefix - 1]!);
      if (summary === undefined) continue;
      const reused = fit(withoutTurns(conversation, prefix, [summaryMessage(summary)]), limit, 0);
      if (reused) return reused;
      base = prefix;
      earlier = summary;
      break;
    }
    let dropped = droppable;
    for (let candidate = Math.max(1, base + 1); candidate <= droppable; candidate++) {
      if (countPromptTokens(withoutTurns(conversation, candidate)) + SUMMARY_MAX_TOKENS <= limit.max_input_tokens) {
        dropped = candidate;
        break;
      }
    }
    const written = await summaries.write(keys[dropped - 1]!, earlier, conversation.turns.slice(base, dropped), model, executor, exchange.scope);
    const messages = withoutTurns(conversation, dropped, [summaryMessage(written.summary)]);
    return fit(messages, limit, written.costUsd) ?? { messages, tokens: countPromptTokens(messages), summaryCostUsd: written.costUsd };
  }
}

function trim(conversation: Conversation, droppable: number, limit: ContextLimit): Fitted | undefined {
  for (let dropped = 1; dropped <= droppable; dropped++) {
    const fitted = fit(withoutTurns(conversation, dropped), limit, 0);
    if (fitted) return fitted;
  }
  return undefined;
}

function fit(messages: ChatMessage[], limit: ContextLimit, summaryCostUsd: number): Fitted | undefined {
  const tokens = countPromptTokens(messages);
  return tokens <= limit.max_input_tokens ? { messages, tokens, summaryCostUsd } : undefined;
}

function summaryMessage(summary: string): ChatMessage {
  return { role: 'system', content: `Summary of the earlier conversation:\n${summary}` };
}

/** The key's limit, else the named model's, else the named route's. */
function limitFor(levers: LeverTable, exchange: ChatExchange): ContextLimit | undefined {
  let limit: ContextLimit | undefined;
  for (const source of levers.sources(exchange.request.model, exchange.scope.principal)) limit = source.context ?? limit;
  return limit;
}

function tooLong(tokens: number, limit: ContextLimit, model: string, afterTrimming = false): InvalidRequestError {
  const detail = afterTrimming ? ` Even after dropping every turn but the last ${limit.keep_last_turns} (and the system messages), it is over the limit.` : '';
  return new InvalidRequestError(`This request has ${tokens} input tokens; the limit for '${model}' is ${limit.max_input_tokens}.${detail}`, 'messages', 'context_too_long');
}
