/**
 * Gemini 3 (and 2.5 with thinking) signs its function calls with `thoughtSignature`, and rejects
 * a follow-up turn whose function calls lost their signature. OpenAI's tool calls have no such
 * field, so we carry it where Google's own OpenAI-compatible endpoint does:
 * `tool_calls[].extra_content.google.thought_signature`. Clients that send the assistant
 * message back as they received it return it untouched.
 */
import type { ToolCall } from '../../protocol/chat-types.js';

export interface SignedToolCallFields {
  extra_content?: { google: { thought_signature: string } };
}

export function thoughtSignatureOf(call: ToolCall): string | undefined {
  const extra = (call as ToolCall & { extra_content?: { google?: { thought_signature?: unknown } } }).extra_content;
  const signature = extra?.google?.thought_signature;
  return typeof signature === 'string' ? signature : undefined;
}

export function signatureFields(signature: unknown): SignedToolCallFields {
  return typeof signature === 'string' ? { extra_content: { google: { thought_signature: signature } } } : {};
}
