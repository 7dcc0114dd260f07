/**
 * Puts the original values back into what an Anthropic deployment answered through the
 * same-protocol pass-through (protocol/native-body.ts), so the client keeps Anthropic's own
 * message and events (thinking blocks, signatures) and still gets its values back:
 *
 * - a whole message: `text` blocks, and each string of a `tool_use` input;
 * - a stream of events: `text_delta` text and `input_json_delta` partial JSON, per content block
 *   index, each through its own `StreamUnmasker` (a placeholder split across deltas is held
 *   only while it could still become one). Before a block's `content_block_stop`, whatever is
 *   held goes out in one more delta of the block's kind.
 *
 * Thinking text is left as written: its signature covers it.
 */
import type { AnthropicResponse, AnthropicResponseBlock } from '../../protocol/anthropic-messages-types.js';
import type { ServerSentEvent } from '../../providers/shared/sse-parser.js';
import { rewriteValue } from './anthropic-body-text.js';
import type { PiiMasker } from './pii-masker.js';
import { StreamUnmasker } from './stream-unmasker.js';

export function unmaskAnthropicMessage(message: AnthropicResponse, masker: PiiMasker): AnthropicResponse {
  if (masker.size === 0) return message;
  let content: AnthropicResponseBlock[] | undefined;
  message.content.forEach((block, index) => {
    let next = block;
    if (block.type === 'text' && typeof block.text === 'string') {
      const text = masker.unmask(block.text);
      if (text !== block.text) next = { ...block, text };
    } else if (block.type === 'tool_use') {
      const input = rewriteValue(block.input, '', (text) => masker.unmask(text));
      if (input !== block.input) next = { ...block, input };
    }
    if (next !== block) (content ??= [...message.content])[index] = next;
  });
  return content ? { ...message, content } : message;
}

interface BlockUnmasker {
  kind: 'text_delta' | 'input_json_delta';
  unmasker: StreamUnmasker;
}

/** The unmasked events of an Anthropic stream; events with nothing to change pass as they came. */
export async function* unmaskAnthropicEvents(events: AsyncIterable<ServerSentEvent>, masker: PiiMasker): AsyncGenerator<ServerSentEvent> {
  const blocks = new Map<number, BlockUnmasker>();
  for await (const event of events) {
    const name = event.event ?? typeOf(event.data);
    if (name === 'content_block_delta') {
      yield unmaskDelta(event, blocks, masker);
    } else if (name === 'content_block_stop') {
      const index = (JSON.parse(event.data) as { index: number }).index;
      const held = blocks.get(index);
      blocks.delete(index);
      const rest = held?.unmasker.flush() ?? '';
      if (held && rest !== '') yield deltaEvent(index, held.kind, rest);
      yield event;
    } else {
      yield event;
    }
  }
}

function unmaskDelta(event: ServerSentEvent, blocks: Map<number, BlockUnmasker>, masker: PiiMasker): ServerSentEvent {
  const data = JSON.parse(event.data) as { index: number; delta: { type: string; text?: unknown; partial_json?: unknown } };
  const { delta } = data;
  const field = delta.type === 'text_delta' ? 'text' : delta.type === 'input_json_delta' ? 'partial_json' : undefined;
  const value = field ? delta[field] : undefined;
  if (!field || typeof value !== 'string') return event;
  let block = blocks.get(data.index);
  if (!block) {
    block = { kind: delta.type as BlockUnmasker['kind'], unmasker: new StreamUnmasker(masker, field === 'text' ? 'text' : 'json-string') };
    blocks.set(data.index, block);
  }
  const unmasked = block.unmasker.push(value);
  if (unmasked === value) return event;
  return { event: event.event, data: JSON.stringify({ ...data, delta: { ...delta, [field]: unmasked } }) };
}

function deltaEvent(index: number, kind: BlockUnmasker['kind'], text: string): ServerSentEvent {
  const delta = kind === 'text_delta' ? { type: kind, text } : { type: kind, partial_json: text };
  return { event: 'content_block_delta', data: JSON.stringify({ type: 'content_block_delta', index, delta }) };
}

function typeOf(data: string): string | undefined {
  try {
    return (JSON.parse(data) as { type?: string }).type;
  } catch {
    return undefined;
  }
}
