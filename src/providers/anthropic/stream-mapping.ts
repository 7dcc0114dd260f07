/**
 * Anthropic stream events → OpenAI chunks, one event at a time:
 *
 *   message_start                  → a first chunk with `role: 'assistant'`
 *   content_block_start (tool_use) → a tool-call delta with `index`, `id` and `function.name`
 *   content_block_delta            → `content` text, or `function.arguments` fragments
 *   thinking, signature deltas     → `reasoning_content`, and the signature in LiteLLM's
 *                                    `thinking_blocks` (protocol/reasoning.ts); a redacted
 *                                    thinking block is one `thinking_blocks` entry
 *   message_delta                  → a chunk with `finish_reason`
 *   message_stop                   → the usage chunk (`choices: []`); the stream is complete
 *   error                          → throws the matching gateway error
 *
 * Anthropic numbers content blocks across text and tools; OpenAI numbers tool calls alone, so
 * block indexes are translated. Unknown event and block types are skipped, as Anthropic's
 * versioning policy asks of clients.
 */
import { UpstreamMalformedResponseError } from '../../errors/index.js';
import type { ChatCompletionChunk, ChatCompletionChunkChoice } from '../../protocol/chat-types.js';
import type { AnthropicStreamEvent, AnthropicUsage } from './anthropic-types.js';
import { mapAnthropicStreamError } from './error-mapping.js';
import { mapStopReason } from './finish-reason.js';
import { JSON_TOOL_NAME } from './tool-mapping.js';
import { mapUsage, mergeUsage } from '../../protocol/anthropic-usage.js';

export interface StreamMappingContext {
  provider: string;
  created: number;
  jsonMode: boolean;
}

export class AnthropicStreamMapper {
  /** True once `message_stop` arrived; a stream that ends before is truncated. */
  finished = false;
  private started: { id: string; model: string } | undefined;
  private usage: AnthropicUsage = {};
  private readonly toolCallIndexByBlock = new Map<number, number>();
  /** Blocks of the forced JSON tool, whose input is relayed as content. */
  private readonly jsonBlocks = new Set<number>();

  constructor(private readonly context: StreamMappingContext) {}

  map(event: AnthropicStreamEvent): ChatCompletionChunk[] {
    switch (event.type) {
      case 'message_start':
        this.started = { id: event.message.id, model: event.message.model };
        this.usage = event.message.usage ?? {};
        return [this.chunk({ role: 'assistant', content: '' })];
      case 'content_block_start':
        return this.startBlock(event.index, event.content_block);
      case 'content_block_delta':
        return this.blockDelta(event.index, event.delta);
      case 'message_delta':
        this.usage = mergeUsage(this.usage, event.usage);
        return [this.chunk({}, mapStopReason(event.delta.stop_reason, this.context.jsonMode))];
      case 'message_stop':
        this.finished = true;
        return [{ ...this.base(), choices: [], usage: mapUsage(this.usage) }];
      case 'error':
        throw mapAnthropicStreamError(event, this.context.provider);
      default:
        // ping, content_block_stop, and event types added after this adapter was written.
        return [];
    }
  }

  private startBlock(index: number, block: { type: string; [key: string]: unknown }): ChatCompletionChunk[] {
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') return [this.chunk({ content: block.text })];
    if (block.type === 'thinking' && typeof block.thinking === 'string' && block.thinking !== '') return [this.chunk({ reasoning_content: block.thinking })];
    if (block.type === 'redacted_thinking') return [this.chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: String(block.data) }] })];
    if (block.type !== 'tool_use') return [];
    const name = String(block.name);
    if (this.context.jsonMode && name === JSON_TOOL_NAME) {
      this.jsonBlocks.add(index);
      return [];
    }
    const toolCallIndex = this.toolCallIndexByBlock.size;
    this.toolCallIndexByBlock.set(index, toolCallIndex);
    return [this.chunk({ tool_calls: [{ index: toolCallIndex, id: String(block.id), type: 'function', function: { name, arguments: '' } }] })];
  }

  private blockDelta(index: number, delta: { type: string; [key: string]: unknown }): ChatCompletionChunk[] {
    if (delta.type === 'text_delta') return [this.chunk({ content: String(delta.text) })];
    if (delta.type === 'thinking_delta') return [this.chunk({ reasoning_content: String(delta.thinking) })];
    if (delta.type === 'signature_delta') return [this.chunk({ thinking_blocks: [{ type: 'thinking', thinking: '', signature: String(delta.signature) }] })];
    if (delta.type !== 'input_json_delta') return [];
    const fragment = String(delta.partial_json ?? '');
    if (fragment === '') return [];
    if (this.jsonBlocks.has(index)) return [this.chunk({ content: fragment })];
    const toolCallIndex = this.toolCallIndexByBlock.get(index);
    if (toolCallIndex === undefined) return [];
    return [this.chunk({ tool_calls: [{ index: toolCallIndex, function: { arguments: fragment } }] })];
  }

  private chunk(delta: ChatCompletionChunkChoice['delta'], finishReason: ChatCompletionChunkChoice['finish_reason'] = null): ChatCompletionChunk {
    return { ...this.base(), choices: [{ index: 0, delta, finish_reason: finishReason }] };
  }

  private base(): Pick<ChatCompletionChunk, 'id' | 'object' | 'created' | 'model'> {
    if (!this.started) throw new UpstreamMalformedResponseError(this.context.provider, 'the stream did not begin with message_start');
    return { id: this.started.id, object: 'chat.completion.chunk', created: this.context.created, model: this.started.model };
  }
}
