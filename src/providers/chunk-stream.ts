/**
 * What `streamChat` returns. Every provider yields OpenAI chunks; a provider whose upstream
 * already speaks OpenAI's SSE can also relay the chunks as their JSON text, in batches as they
 * arrive, so the gateway does not parse and re-serialise every chunk of every stream.
 */
import type { GatewayError } from '../errors/index.js';
import type { ChatCompletionChunk } from '../protocol/chat-types.js';

export interface PayloadSink {
  /**
   * The JSON chunks completed by one upstream read (`[DONE]` left out), and the read's own bytes,
   * for a relay that can pass them on unchanged. Return false to pause the upstream until `resume()`.
   */
  payloads(batch: string[], raw: readonly Buffer[]): boolean;
  end(): void;
  error(error: GatewayError): void;
}

export interface RelayableChunkStream extends AsyncIterable<ChatCompletionChunk> {
  /** Resolves at the first chunk; rejects when the upstream failed before it (so the call can fail over). */
  readonly started: Promise<void>;
  /** Read the stream as JSON text instead of iterating it; once, and not both. */
  relay(sink: PayloadSink): void;
  resume(): void;
  /** Stops reading and closes the upstream exchange; the sink hears nothing more. */
  cancel(): void;
}

export type ChunkStream = AsyncIterable<ChatCompletionChunk> | RelayableChunkStream;

export function isRelayable(stream: ChunkStream): stream is RelayableChunkStream {
  return typeof (stream as RelayableChunkStream).relay === 'function';
}
