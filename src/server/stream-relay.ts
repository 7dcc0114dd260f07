/**
 * The two ways a stream reaches the client. Both stop at the first failure and report it
 * rather than throw, so the handler ends every stream and prices it the same way.
 *
 * - `relayPayloads`: OpenAI-format upstreams. Each upstream read becomes one client write of
 *   the upstream's own chunk text; only the usage chunk is parsed.
 * - `relayChunks`: every other provider (translated chunks), serialised one by one.
 */
import type { ChatCompletionChunk, Usage } from '../protocol/chat-types.js';
import type { StreamRelay } from '../execution/chat-executor.js';
import { chunkWithUsage, textOfPayloads, usageKeyIndex, withoutNullUsage } from '../providers/openai-compatible/chunk-payload.js';
import type { RequestContext } from './request-context.js';
import type { SseWriter } from './sse-writer.js';

export interface RelayOutcome {
  usage: Usage | null;
  /** The streamed text, for counting tokens when the upstream reported no usage. */
  text(): string;
  /** Why the stream stopped early; undefined when it completed. */
  error?: unknown;
}

export function relayPayloads(context: RequestContext, writer: SseWriter, relay: StreamRelay, includeUsage: boolean): Promise<RelayOutcome> {
  const record = context.record;
  let usage: Usage | null = null;
  // Kept only until usage arrives; without usage, their text is counted instead.
  const payloadsBeforeUsage: string[] = [];
  const outcome = (error?: unknown): RelayOutcome => ({ usage, text: () => textOfPayloads(payloadsBeforeUsage), error });
  return new Promise((resolve) => {
    relay.start({
      payloads(batch) {
        if (record.ttft_ms === null) record.ttft_ms = context.elapsedMs();
        let frames = '';
        for (const payload of batch) {
          const usageKey = usageKeyIndex(payload);
          const withUsage = usageKey === -1 ? undefined : chunkWithUsage(payload, usageKey);
          if (withUsage) {
            usage = withUsage.usage!;
            relay.recordTokens((usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0));
            if (!includeUsage) {
              if (withUsage.choices.length === 0) continue;
              delete withUsage.usage;
              frames += `data: ${JSON.stringify(withUsage)}\n\n`;
              continue;
            }
          } else if (usage === null) {
            payloadsBeforeUsage.push(payload);
          }
          frames += `data: ${includeUsage || usageKey === -1 ? payload : withoutNullUsage(payload, usageKey)}\n\n`;
        }
        return frames === '' || writer.writeFrames(frames, () => relay.resume());
      },
      end: () => resolve(outcome()),
      error: (error) => resolve(outcome(error)),
    });
  });
}

export async function relayChunks(context: RequestContext, writer: SseWriter, chunks: AsyncIterable<ChatCompletionChunk>, includeUsage: boolean): Promise<RelayOutcome> {
  const record = context.record;
  let usage: Usage | null = null;
  let text = '';
  try {
    for await (const chunk of chunks) {
      const choice = chunk.choices[0];
      if (choice) {
        if (record.ttft_ms === null) record.ttft_ms = context.elapsedMs();
        if (choice.delta.content) text += choice.delta.content;
        for (const call of choice.delta.tool_calls ?? []) text += (call.function?.name ?? '') + (call.function?.arguments ?? '');
      }
      if (chunk.usage) {
        usage = chunk.usage;
        if (!includeUsage) {
          if (chunk.choices.length === 0) continue;
          delete chunk.usage;
        }
      } else if (!includeUsage && chunk.usage === null) {
        delete chunk.usage;
      }
      await writer.writeData(chunk);
    }
  } catch (error) {
    return { usage, text: () => text, error };
  }
  return { usage, text: () => text };
}
