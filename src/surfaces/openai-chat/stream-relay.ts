/**
 * The two ways a stream reaches the client. Both stop at the first failure and report it
 * rather than throw, so the handler ends every stream and prices it the same way.
 *
 * - `relayPayloads`: OpenAI-format upstreams. Each upstream read becomes one client write: its
 *   own bytes when the client asked for usage, else its chunks' text with the usage the gateway
 *   asked for cut out; only the usage chunk is parsed.
 * - `relayChunks`: every other provider (translated chunks), serialised one by one.
 */
import type { ChatCompletionChunk, Usage } from '../../protocol/chat-types.js';
import type { StreamRelay } from '../../execution/chat-executor.js';
import { chunkWithUsage, textOfPayloads, usageKeyIndex, withoutNullUsage } from '../../protocol/chunk-payload.js';
import type { RequestScope } from '../../pipeline/request-scope.js';
import type { SseWriter } from '../../server/sse-writer.js';
import { BoundedText } from '../../cost/bounded-text.js';

export interface RelayOutcome {
  usage: Usage | null;
  /** The streamed text (bounded), for counting tokens when the upstream reported no usage. */
  text: BoundedText;
  /** Why the stream stopped early; undefined when it completed. */
  error?: unknown;
  /** The upstream's bytes went to the client as they came, so the last event may be cut short. */
  passedThrough?: boolean;
}

/**
 * Payload characters held unparsed before their text is folded into the bounded text. Most
 * streams end with usage well before this, and their payloads are never parsed at all.
 */
const UNPARSED_PAYLOAD_CHARS = 1024 * 1024;

export function relayPayloads(context: RequestScope, writer: SseWriter, relay: StreamRelay, includeUsage: boolean, pricedTextChars: number): Promise<RelayOutcome> {
  const record = context.record;
  let usage: Usage | null = null;
  // Kept only until usage arrives; without usage, their text is counted instead. Folded into
  // the bounded text as they pile up, so an endless stream without usage holds bounded memory.
  let payloadsBeforeUsage: string[] = [];
  let unparsedChars = 0;
  const text = new BoundedText(pricedTextChars);
  const foldPayloads = () => {
    text.append(textOfPayloads(payloadsBeforeUsage));
    payloadsBeforeUsage = [];
    unparsedChars = 0;
  };
  // A client that asked for usage wants the stream exactly as the upstream sent it: its bytes
  // are written as they came, and the chunks are only read. Otherwise the usage chunk is dropped
  // and the `"usage":null` the gateway asked for is cut out of every chunk.
  const passThrough = includeUsage;
  const outcome = (error?: unknown): RelayOutcome => {
    if (usage === null) foldPayloads();
    return { usage, text, error, passedThrough: passThrough };
  };
  return new Promise((resolve) => {
    relay.start({
      payloads(batch, raw) {
        if (record.ttft_ms === null && batch.length > 0) record.ttft_ms = context.elapsedMs();
        let frames = '';
        for (const payload of batch) {
          const usageKey = usageKeyIndex(payload);
          const withUsage = usageKey === -1 ? undefined : chunkWithUsage(payload, usageKey);
          if (withUsage) {
            usage = withUsage.usage!;
            relay.recordTokens((usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0));
            if (passThrough) continue;
            if (withUsage.choices.length === 0) continue;
            delete withUsage.usage;
            frames += `data: ${JSON.stringify(withUsage)}\n\n`;
            continue;
          }
          if (usage === null) {
            payloadsBeforeUsage.push(payload);
            unparsedChars += payload.length;
            if (unparsedChars > UNPARSED_PAYLOAD_CHARS) foldPayloads();
          }
          if (!passThrough) frames += `data: ${usageKey === -1 ? payload : withoutNullUsage(payload, usageKey)}\n\n`;
        }
        if (passThrough) return raw.length === 0 || writer.writeFrames(raw, () => relay.resume());
        return frames === '' || writer.writeFrames(frames, () => relay.resume());
      },
      end() {
        // Ended here, in the same turn as the last read, so the last frames and the end of the
        // response leave in one write. Passed through, the upstream's own [DONE] is already out.
        writer.end(!passThrough);
        resolve(outcome());
      },
      error: (error) => resolve(outcome(error)),
    });
  });
}

export async function relayChunks(context: RequestScope, writer: SseWriter, chunks: AsyncIterable<ChatCompletionChunk>, includeUsage: boolean, pricedTextChars: number): Promise<RelayOutcome> {
  const record = context.record;
  let usage: Usage | null = null;
  const text = new BoundedText(pricedTextChars);
  try {
    for await (const chunk of chunks) {
      const choice = chunk.choices[0];
      if (choice) {
        if (record.ttft_ms === null) record.ttft_ms = context.elapsedMs();
        if (choice.delta.content) text.append(choice.delta.content);
        for (const call of choice.delta.tool_calls ?? []) text.append((call.function?.name ?? '') + (call.function?.arguments ?? ''));
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
    return { usage, text, error };
  }
  return { usage, text };
}
