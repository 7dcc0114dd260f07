/**
 * OpenAI chunks → the Anthropic Messages event stream, as SSE frame text:
 *
 *   message_start                       once, on the first chunk (or `start()`), with the caller's
 *                                       input-token estimate; then a ping
 *   content_block_start                 a block opens when its kind changes: thinking, text, or a
 *     content_block_delta …             tool call with a new index, each its own block, never mixed
 *   content_block_stop                  (thinking_delta and signature_delta; text_delta;
 *                                       input_json_delta)
 *   message_delta                       on `finish()`: stop_reason and the usage the upstream
 *   message_stop                        reported in its last chunk
 *   error                               on `fail()`, for a failure after the stream began
 *
 * Reasoning is read from the conventions of protocol/reasoning.ts; a redacted thinking block is
 * opened and closed at once with its data. OpenAI-format servers stream tool calls one after the
 * other; should fragments of an earlier call arrive after a later one began, they are sent with
 * the earlier block's index, which Anthropic's SDKs accumulate by index.
 */
import { randomUUID } from 'node:crypto';
import type { GatewayError } from '../../errors/index.js';
import type { AnthropicBlockDelta, AnthropicResponseBlock } from '../../protocol/anthropic-messages-types.js';
import { toAnthropicUsage } from '../../protocol/anthropic-usage.js';
import type { ChatCompletionChunk, ChatCompletionChunkChoice, FinishReason, Usage } from '../../protocol/chat-types.js';
import { reasoningTextOf, thinkingBlocksOf } from '../../protocol/reasoning.js';
import { anthropicErrorFrame } from './errors.js';
import { messageIdFor } from './message-id.js';
import { frameEvent } from './sse-frame.js';
import { stopReasonFor } from './stop-reason.js';

/** Characters per token for the output estimate when the upstream reports no usage. */
const CHARACTERS_PER_TOKEN = 4;

export interface MessagesStreamEncoderOptions {
  /** The model name the client sent. */
  model: string;
  /** Prompt tokens as estimated before the call, for `message_start`; `message_delta` corrects it when the upstream reports usage. */
  inputTokens: number;
}

type BlockKind = 'thinking' | 'text' | 'tool_use';

export class MessagesStreamEncoder {
  private started = false;
  private ended = false;
  private nextIndex = 0;
  private open: { kind: BlockKind; index: number } | undefined;
  private readonly toolBlockByCallIndex = new Map<number, number>();
  private finishReason: FinishReason | null = null;
  private usage: Usage | undefined;
  private outputCharacters = 0;

  constructor(private readonly options: MessagesStreamEncoderOptions) {}

  get isStarted(): boolean {
    return this.started;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** `message_start` and a ping; empty once started. `id` is the upstream's, kept when it is an Anthropic id. */
  start(id?: string): string {
    if (this.started) return '';
    this.started = true;
    const usage = { input_tokens: this.options.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
    const message = { id: messageIdFor(id), type: 'message', role: 'assistant', model: this.options.model, content: [], stop_reason: null, stop_sequence: null, usage };
    return frameEvent({ type: 'message_start', message }) + this.ping();
  }

  ping(): string {
    return frameEvent({ type: 'ping' });
  }

  /** The frames for one chunk. */
  encode(chunk: ChatCompletionChunk): string {
    if (this.ended) return '';
    let frames = this.start(chunk.id);
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) return frames;
    frames += this.encodeThinking(choice.delta);
    const text = choice.delta.content || choice.delta.refusal;
    if (text) frames += this.delta('text', { type: 'text_delta', text }, text);
    for (const call of choice.delta.tool_calls ?? []) frames += this.encodeToolCall(call);
    if (choice.finish_reason) {
      this.finishReason = choice.finish_reason;
      frames += this.closeBlock();
    }
    return frames;
  }

  /** Closes the open block and the message; empty if already ended. Call it when the upstream stream ends. */
  finish(): string {
    if (this.ended) return '';
    let frames = this.start() + this.closeBlock();
    this.ended = true;
    const stopReason = stopReasonFor(this.finishReason, this.toolBlockByCallIndex.size > 0);
    const usage = this.usage ? toAnthropicUsage(this.usage) : { output_tokens: Math.ceil(this.outputCharacters / CHARACTERS_PER_TOKEN) };
    frames += frameEvent({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage });
    return frames + frameEvent({ type: 'message_stop' });
  }

  /** The `error` event for a failure mid-stream; nothing follows it. */
  fail(error: GatewayError): string {
    if (this.ended) return '';
    this.ended = true;
    return anthropicErrorFrame(error);
  }

  /**
   * Thinking text, then signatures and redacted blocks. Within one delta, `thinking_blocks` carry
   * the same text as `reasoning_content` (LiteLLM sends both), so the blocks win.
   */
  private encodeThinking(delta: ChatCompletionChunkChoice['delta']): string {
    const blocks = thinkingBlocksOf(delta);
    if (blocks.length === 0) {
      const reasoning = reasoningTextOf(delta);
      return reasoning === undefined ? '' : this.delta('thinking', { type: 'thinking_delta', thinking: reasoning }, reasoning);
    }
    let frames = '';
    for (const block of blocks) {
      if (block.type === 'redacted_thinking') {
        frames += this.closeBlock() + this.openBlock('thinking', { type: 'redacted_thinking', data: block.data }) + this.closeBlock();
        continue;
      }
      if (block.thinking !== '') frames += this.delta('thinking', { type: 'thinking_delta', thinking: block.thinking }, block.thinking);
      if (typeof block.signature === 'string' && block.signature !== '') frames += this.delta('thinking', { type: 'signature_delta', signature: block.signature }, '');
    }
    return frames;
  }

  private encodeToolCall(call: NonNullable<ChatCompletionChunkChoice['delta']['tool_calls']>[number]): string {
    let frames = '';
    let index = this.toolBlockByCallIndex.get(call.index);
    if (index === undefined) {
      frames += this.closeBlock();
      const block = { type: 'tool_use', id: call.id || `toolu_${randomUUID().replaceAll('-', '')}`, name: call.function?.name ?? '', input: {} };
      frames += this.openBlock('tool_use', block);
      index = this.open!.index;
      this.toolBlockByCallIndex.set(call.index, index);
    }
    const fragment = call.function?.arguments;
    if (fragment) {
      this.outputCharacters += fragment.length;
      frames += frameEvent({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: fragment } });
    }
    return frames;
  }

  /** A delta for a thinking or text block, opening that block first when another kind is open. */
  private delta(kind: 'thinking' | 'text', delta: AnthropicBlockDelta, generated: string): string {
    this.outputCharacters += generated.length;
    let frames = '';
    if (this.open?.kind !== kind) {
      frames += this.closeBlock();
      frames += this.openBlock(kind, kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' });
    }
    return frames + frameEvent({ type: 'content_block_delta', index: this.open!.index, delta });
  }

  private openBlock(kind: BlockKind, contentBlock: AnthropicResponseBlock): string {
    this.open = { kind, index: this.nextIndex++ };
    return frameEvent({ type: 'content_block_start', index: this.open.index, content_block: contentBlock });
  }

  private closeBlock(): string {
    if (!this.open) return '';
    const index = this.open.index;
    this.open = undefined;
    return frameEvent({ type: 'content_block_stop', index });
  }
}
