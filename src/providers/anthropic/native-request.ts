/**
 * The request for a same-protocol pass-through: a client's own Messages body sent to an
 * Anthropic deployment. The body is the client's with two changes:
 * - `model` is the deployment's upstream id, and `stream` says what the gateway asked for;
 * - thinking blocks without a signature are taken out of the history. Only a non-Anthropic
 *   model, answering through the translated path (a route that moved between providers),
 *   produces those; Anthropic rejects a thinking block it cannot verify, and an unsigned one
 *   never verifies.
 * The client's `anthropic-beta` header is added to the deployment's own.
 */
import type { AnthropicMessagesBody } from '../../protocol/anthropic-messages-types.js';

export function nativeRequestBody(body: AnthropicMessagesBody, upstreamModel: string, stream: boolean): string {
  const { stream: _clientStream, ...rest } = body;
  const outgoing: AnthropicMessagesBody = { ...rest, model: upstreamModel };
  const messages = withoutUnsignedThinking(body.messages);
  if (messages !== body.messages) outgoing.messages = messages;
  if (stream) outgoing.stream = true;
  return JSON.stringify(outgoing);
}

/** The deployment's headers with the client's beta flags added (comma-separated, as Anthropic takes them). */
export function withClientBeta(headers: Record<string, string>, clientBeta: string | undefined): Record<string, string> {
  if (!clientBeta) return headers;
  const flags = new Set<string>();
  for (const list of [headers['anthropic-beta'], clientBeta]) {
    for (const flag of (list ?? '').split(',')) if (flag.trim() !== '') flags.add(flag.trim());
  }
  return { ...headers, 'anthropic-beta': [...flags].join(',') };
}

type HistoryMessage = { role?: unknown; content?: unknown };

/** The messages without unsigned thinking blocks; the same array when there are none (the common case). */
function withoutUnsignedThinking(messages: unknown): unknown {
  if (!Array.isArray(messages) || !messages.some(hasUnsignedThinking)) return messages;
  return messages.map((message: HistoryMessage) =>
    hasUnsignedThinking(message) ? { ...message, content: (message.content as unknown[]).filter((block) => !isUnsignedThinking(block)) } : message,
  );
}

function hasUnsignedThinking(message: HistoryMessage | null): boolean {
  return message?.role === 'assistant' && Array.isArray(message.content) && message.content.some(isUnsignedThinking);
}

function isUnsignedThinking(block: unknown): boolean {
  const candidate = block as { type?: unknown; signature?: unknown } | null;
  return candidate?.type === 'thinking' && !candidate.signature;
}
