/**
 * A whole message as the Anthropic event sequence, for a streaming client whose answer was
 * produced whole (a cascade route's accepted answer): each block is started with its other
 * fields (a text block's `citations`), given in one delta (thinking also its signature; a tool
 * use its input as one JSON fragment) and stopped. Blocks with no delta form (redacted thinking,
 * server tool results) are started whole.
 */
import type { AnthropicResponse, AnthropicResponseBlock } from '../../protocol/anthropic-messages-types.js';
import { frameEvent } from './sse-frame.js';

export function messageAsEvents(message: AnthropicResponse): string {
  const usage = message.usage ?? {};
  let frames = frameEvent({ type: 'message_start', message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 0 } } });
  frames += frameEvent({ type: 'ping' });
  message.content.forEach((block, index) => {
    frames += blockEvents(block, index);
  });
  frames += frameEvent({ type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence ?? null }, usage });
  return frames + frameEvent({ type: 'message_stop' });
}

function blockEvents(block: AnthropicResponseBlock, index: number): string {
  const start = (contentBlock: AnthropicResponseBlock) => frameEvent({ type: 'content_block_start', index, content_block: contentBlock });
  const delta = (value: Record<string, unknown>) => frameEvent({ type: 'content_block_delta', index, delta: value });
  let frames: string;
  switch (block.type) {
    case 'text':
      frames = start({ ...block, text: '' }) + delta({ type: 'text_delta', text: String(block.text) });
      break;
    case 'thinking':
      frames = start({ ...block, thinking: '', signature: '' }) + delta({ type: 'thinking_delta', thinking: String(block.thinking) });
      if (block.signature) frames += delta({ type: 'signature_delta', signature: String(block.signature) });
      break;
    case 'tool_use':
      frames = start({ ...block, input: {} }) + delta({ type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) });
      break;
    default:
      frames = start(block);
  }
  return frames + frameEvent({ type: 'content_block_stop', index });
}
