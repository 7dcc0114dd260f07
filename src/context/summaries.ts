/**
 * Summaries of dropped turns for `policy: summarize`, written by `summarize_model` through the
 * executor (so the call is retried, priced and listed among the request's attempts), and kept
 * in memory by the prefix they summarise: a hash of the summary model and every dropped message.
 * A growing conversation reuses the summary of its longest summarised prefix, and while the
 * turns after it fit, it is not summarised again; when more must go, only the newly dropped
 * turns are summarised, on top of the earlier summary. Bounded: the least recently used of
 * 1,000 summaries goes first.
 */
import { createHash } from 'node:crypto';
import type { ChatExecutor } from '../execution/chat-executor.js';
import { ModelNotFoundError } from '../errors/index.js';
import type { ChatMessage } from '../protocol/chat-types.js';
import type { RequestScope } from '../pipeline/request-scope.js';
import { messagesText } from '../cost/token-counter.js';

const MAX_SUMMARIES = 1000;
/** The most a summary may take; the room kept for it when deciding what to drop. */
export const SUMMARY_MAX_TOKENS = 512;
const INSTRUCTION =
  'Summarise the earlier part of a conversation between a user and an assistant so the assistant can continue it. Keep facts, names, numbers, decisions, open questions and what the user wants. Write it in the third person, in at most 300 words. Reply with the summary only.';

export class Summaries {
  private readonly byPrefix = new Map<string, string>();

  /** Hashes of each prefix of `turns`: entry j covers turns 0..j (inclusive). */
  prefixKeys(model: string, turns: readonly ChatMessage[][]): string[] {
    const keys: string[] = [];
    let previous = model;
    for (const turn of turns) {
      previous = createHash('sha256').update(previous).update('\0').update(JSON.stringify(turn)).digest('hex');
      keys.push(previous);
    }
    return keys;
  }

  get(key: string): string | undefined {
    const summary = this.byPrefix.get(key);
    if (summary !== undefined) {
      this.byPrefix.delete(key);
      this.byPrefix.set(key, summary);
    }
    return summary;
  }

  /** Summarises `turns` (with the earlier summary they continue, if any) and keeps it under `key`. Returns it and its cost. */
  async write(key: string, earlier: string | undefined, turns: readonly ChatMessage[][], modelName: string, executor: ChatExecutor, scope: RequestScope): Promise<{ summary: string; costUsd: number }> {
    const model = executor.registry.get(modelName);
    if (!model) throw new ModelNotFoundError(modelName, executor.registry.names());
    const transcript = (earlier ? `Summary of what came before:\n${earlier}\n\nThen:\n` : '') + messagesText(turns.flat());
    const call = await executor.complete(
      model,
      { model: modelName, messages: [{ role: 'system', content: INSTRUCTION }, { role: 'user', content: transcript }], max_tokens: SUMMARY_MAX_TOKENS, temperature: 0 },
      { signal: scope.signal, attempts: scope.record.attempts, trace: scope.trace },
    );
    const summary = call.completion.choices[0]?.message.content ?? '';
    this.byPrefix.set(key, summary);
    if (this.byPrefix.size > MAX_SUMMARIES) this.byPrefix.delete(this.byPrefix.keys().next().value!);
    return { summary, costUsd: call.cost.costUsd };
  }
}
