/**
 * Reasoning ("thinking") in OpenAI-format messages and chunks. OpenAI's Chat Completions API has
 * no field for it, so servers follow conventions, read here in this order:
 * - `thinking_blocks`: LiteLLM's list of Anthropic thinking blocks, the only one that carries
 *   Anthropic's `signature` (and `redacted_thinking` data), which a client must send back
 *   unchanged for the next turn to be accepted; the Anthropic provider writes it;
 * - `reasoning_content`: DeepSeek, vLLM, SGLang, and the Anthropic provider beside the blocks;
 * - `reasoning`: OpenRouter, Ollama, and newer vLLM.
 */
import type { AnthropicRedactedThinkingBlock, AnthropicThinkingBlock } from './anthropic-messages-types.js';

export type ThinkingBlock = AnthropicThinkingBlock | AnthropicRedactedThinkingBlock;

/** The reasoning text of a message or a chunk delta, or undefined when it carries none. */
export function reasoningTextOf(fields: { [key: string]: unknown }): string | undefined {
  const text = fields.reasoning_content ?? fields.reasoning;
  return typeof text === 'string' && text !== '' ? text : undefined;
}

/** LiteLLM-style `thinking_blocks` of a message or a chunk delta, keeping only well-formed ones. */
export function thinkingBlocksOf(fields: { [key: string]: unknown }): ThinkingBlock[] {
  const blocks = fields.thinking_blocks;
  if (!Array.isArray(blocks)) return [];
  return blocks.filter(
    (block): block is ThinkingBlock =>
      typeof block === 'object' &&
      block !== null &&
      ((block.type === 'thinking' && typeof block.thinking === 'string') || (block.type === 'redacted_thinking' && typeof block.data === 'string')),
  );
}
