/**
 * A cache entry as the pipeline's outcome, in the form the request asked for: a stream request
 * gets a stream — the stored chunks or native events one by one, as they first came — or, from
 * a stored whole answer, the surface's own replay of it as a stream; a JSON request gets the
 * whole answer, assembled from a stored stream when that is what was kept. The answer keeps its
 * original usage; the outcome is marked `cached`, so it is recorded at cost 0.
 */
import type { CallCost } from '../execution/priced-call.js';
import type { ModelRegistry, ResolvedDeployment, ResolvedModel } from '../models/model-registry.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import { rememberNativeMessage } from '../protocol/native-body.js';
import type { ChatCompletion, ChatCompletionChunk } from '../protocol/chat-types.js';
import type { ServerSentEvent } from '../providers/shared/sse-parser.js';
import { completionFromChunks, completionOfMessage, messageFromEvents } from './answer-assembly.js';
import type { CacheEntry } from './cache-entry.js';

const FREE: CallCost = { tokens: { promptTokens: 0, completionTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, costUsd: 0, estimated: false };

/** The outcome for `entry`, or undefined when the model that answered is no longer configured (then it is a miss). */
export function hitOutcome(entry: CacheEntry, stream: boolean, registry: ModelRegistry, headers: Record<string, string>): ChatOutcome | undefined {
  const model = registry.get(entry.served_model);
  const deployment = model?.deployments.find((candidate) => candidate.id === entry.deployment) ?? model?.deployments[0];
  if (!model || !deployment) return undefined;
  const { answer } = entry;
  if (stream && answer.kind === 'chunks') {
    return { kind: 'stream', stream: { chunks: replayChunks(answer.chunks), model, deployment }, extraCost: 0, headers, cached: true };
  }
  if (stream && answer.kind === 'anthropic-events') {
    const native = { events: replayEvents(answer.events), recordTokens() {} };
    return { kind: 'stream', stream: { chunks: replayChunks([]), native, model, deployment }, extraCost: 0, headers, cached: true };
  }
  return completed(wholeAnswer(entry), model, deployment, headers);
}

function wholeAnswer(entry: CacheEntry): ChatCompletion {
  const { answer } = entry;
  switch (answer.kind) {
    case 'completion':
      return answer.message ? rememberNativeMessage(structuredClone(answer.completion), answer.message) : structuredClone(answer.completion);
    case 'chunks':
      return completionFromChunks(answer.chunks.map((text) => JSON.parse(text) as ChatCompletionChunk));
    case 'anthropic-events': {
      const message = messageFromEvents(answer.events);
      return rememberNativeMessage(completionOfMessage(message), message);
    }
  }
}

function completed(completion: ChatCompletion, model: ResolvedModel, deployment: ResolvedDeployment, headers: Record<string, string>): ChatOutcome {
  return { kind: 'completed', call: { completion, model, deployment, cost: FREE }, extraCost: 0, headers, cached: true };
}

async function* replayChunks(chunks: readonly string[]): AsyncGenerator<ChatCompletionChunk> {
  for (const text of chunks) yield JSON.parse(text) as ChatCompletionChunk;
}

async function* replayEvents(events: readonly ServerSentEvent[]): AsyncGenerator<ServerSentEvent> {
  for (const event of events) yield { ...event };
}
