/**
 * The same-protocol stream relay: an Anthropic deployment's events to an Anthropic client,
 * unchanged except for `message_start.message.model`, which becomes the name the client sent (the
 * serving model is in the response headers). Thinking blocks, signatures, server-tool blocks and
 * event types added later pass through as the upstream wrote them: only `message_start` and
 * `message_delta` are parsed, for the usage that prices the call (input and cache tokens from the
 * first, the output count from the second).
 */
import { UpstreamMalformedResponseError } from '../../errors/index.js';
import type { AnthropicResponse, AnthropicUsage } from '../../protocol/anthropic-messages-types.js';
import { mapUsage, mergeUsage } from '../../protocol/anthropic-usage.js';
import type { Usage } from '../../protocol/chat-types.js';
import { frameEvent, frameEventText } from './sse-frame.js';

/** An upstream SSE event: its `event:` name (Anthropic always sends one) and its data text. */
export interface UpstreamEvent {
  event?: string | undefined;
  data: string;
}

/** `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}}`, about. */
const DELTA_ENVELOPE_CHARS = 70;

export class NativeStreamRelay {
  private anthropicUsage: AnthropicUsage | undefined;
  private reason: string | null = null;
  private stopped = false;
  /** Whether `message_delta` gave the final output count. */
  private outputCounted = false;
  /** Characters of `content_block_delta` data, for an output estimate when the stream stops before its count. */
  private deltaChars = 0;

  constructor(private readonly clientModel: string) {}

  /** The frame to send for one upstream event. */
  relay(event: UpstreamEvent): string {
    const name = event.event ?? parseData<{ type: string }>(event).type;
    if (name === 'message_start') {
      const data = parseData<{ type: 'message_start'; message: AnthropicResponse }>(event);
      if (typeof data.message !== 'object' || data.message === null) throw new UpstreamMalformedResponseError('anthropic', 'message_start has no message');
      this.anthropicUsage = data.message.usage ?? {};
      data.message.model = this.clientModel;
      return frameEvent(data);
    }
    if (name === 'message_delta') {
      const data = parseData<{ delta?: { stop_reason?: string | null }; usage?: AnthropicUsage }>(event);
      this.anthropicUsage = mergeUsage(this.anthropicUsage ?? {}, data.usage);
      this.outputCounted ||= data.usage?.output_tokens !== undefined;
      this.reason = data.delta?.stop_reason ?? this.reason;
    } else if (name === 'message_stop') {
      this.stopped = true;
    } else if (name === 'content_block_delta') {
      // Not parsed (most events are these): their data length less the envelope bounds the text.
      this.deltaChars += Math.max(0, event.data.length - DELTA_ENVELOPE_CHARS);
    }
    return frameEventText(name, event.data);
  }

  /** The usage as Anthropic reported it so far; undefined before `message_start`. */
  get usage(): AnthropicUsage | undefined {
    return this.anthropicUsage;
  }

  /**
   * The same usage in OpenAI's semantics, for pricing and the request log; null before
   * `message_start`. A stream that stopped before `message_delta` (the client left, the upstream
   * broke off) has only `message_start`'s placeholder output count: its output is then estimated
   * from the delta text streamed (~4 characters a token), so what was streamed is charged.
   */
  get completionUsage(): Usage | null {
    if (!this.anthropicUsage) return null;
    const usage = mapUsage(this.anthropicUsage);
    if (this.outputCounted) return usage;
    const streamed = Math.ceil(this.deltaChars / 4);
    if (streamed <= usage.completion_tokens) return usage;
    return { ...usage, completion_tokens: streamed, total_tokens: usage.prompt_tokens + streamed };
  }

  /** True when the output count is an estimate from the streamed text (see `completionUsage`). */
  get outputEstimated(): boolean {
    return !this.outputCounted && this.deltaChars > 0;
  }

  get stopReason(): string | null {
    return this.reason;
  }

  /** True once `message_stop` went through. */
  get finished(): boolean {
    return this.stopped;
  }
}

function parseData<T>(event: UpstreamEvent): T {
  try {
    const data: unknown = JSON.parse(event.data);
    if (typeof data === 'object' && data !== null) return data as T;
  } catch {
    // Reported below, like any other data that is not an event object.
  }
  throw new UpstreamMalformedResponseError('anthropic', `a ${event.event ?? 'stream'} event is not a JSON object`);
}
