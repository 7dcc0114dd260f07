/**
 * Reading OpenAI stream chunks without parsing them. A relayed stream is passed on as the
 * upstream's own JSON text; only the chunk that carries usage (one per stream) is parsed.
 * These checks are exact for JSON: a string value cannot hold an unescaped quote, so `"usage"`
 * followed by a colon can only be the key.
 */
import type { ChatCompletionChunk } from './chat-types.js';

/** Where the `"usage"` key of a chunk starts, or -1 when it has none. */
export function usageKeyIndex(payload: string): number {
  return payload.indexOf('"usage"');
}

/** Where the value of the `"usage"` key at `keyIndex` starts (after the colon and spaces), or -1. */
function usageValueIndex(payload: string, keyIndex: number): number {
  let index = keyIndex + 7;
  while (payload.charCodeAt(index) === 32) index++;
  if (payload.charCodeAt(index) !== 58 /* : */) return -1;
  index++;
  while (payload.charCodeAt(index) === 32) index++;
  return index;
}

/** The parsed chunk when this payload reports usage (`"usage": {…}`), else undefined. */
export function chunkWithUsage(payload: string, keyIndex = usageKeyIndex(payload)): ChatCompletionChunk | undefined {
  if (keyIndex === -1) return undefined;
  const valueIndex = usageValueIndex(payload, keyIndex);
  if (valueIndex === -1 || payload.charCodeAt(valueIndex) !== 123 /* { */) return undefined;
  const chunk = parseChunk(payload);
  return chunk?.usage ? chunk : undefined;
}

/**
 * True when the payload is an error event (`{"error": …}`) rather than a chunk. Chunks open
 * with their id (OpenAI, vLLM, Ollama, Groq…), which rules them out without a search.
 */
export function isErrorPayload(payload: string): boolean {
  if (payload.startsWith('{"id"') || !payload.includes('"error"')) return false;
  const parsed = parseChunk(payload) as { error?: unknown } | undefined;
  return parsed?.error !== undefined && parsed.error !== null;
}

/**
 * The chunk without the `"usage":null` the upstream adds to every chunk once usage is asked for
 * (the gateway always asks, to price the stream; a client that did not ask never sees it).
 */
export function withoutNullUsage(payload: string, keyIndex = usageKeyIndex(payload)): string {
  if (keyIndex < 1 || payload.charCodeAt(keyIndex - 1) !== 44 /* , */ || !payload.startsWith('":null', keyIndex + 6)) return payload;
  return payload.slice(0, keyIndex - 1) + payload.slice(keyIndex + 12);
}

export function parseChunk(payload: string): ChatCompletionChunk | undefined {
  try {
    return JSON.parse(payload) as ChatCompletionChunk;
  } catch {
    return undefined;
  }
}

/** The text of a stream's payloads (content and tool-call names and arguments), for counting tokens when no usage came. */
export function textOfPayloads(payloads: readonly string[]): string {
  let text = '';
  for (const payload of payloads) {
    const choice = parseChunk(payload)?.choices?.[0];
    if (!choice) continue;
    if (choice.delta?.content) text += choice.delta.content;
    for (const call of choice.delta?.tool_calls ?? []) text += (call.function?.name ?? '') + (call.function?.arguments ?? '');
  }
  return text;
}
