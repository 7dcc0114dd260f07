/**
 * Upstream SSE as a pipeline: bytes → text → events → JSON. A malformed event never throws
 * here: `parseEventJson` returns undefined for it, and the caller decides whether that is
 * fatal (a stream that ends without its terminal event is).
 */
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { SendOptions, UpstreamResponse } from './http-client.js';
import { mapNetworkError } from '../../errors/index.js';
import { StreamBounds } from './stream-bounds.js';

export interface ServerSentEvent {
  event: string | undefined;
  data: string;
}

/** Yields each SSE event of an upstream body as it arrives. */
export async function* readServerSentEvents(
  response: UpstreamResponse,
  options: Pick<SendOptions, 'provider' | 'timeouts' | 'signal' | 'limits'>,
): AsyncGenerator<ServerSentEvent> {
  const pending: ServerSentEvent[] = [];
  const bounds = new StreamBounds(options.provider, options.limits);
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      bounds.eventCompleted();
      pending.push({ event: message.event, data: message.data });
    },
    onComment: () => bounds.eventCompleted(),
  });
  // StringDecoder rather than TextDecoder: no ICU round trip, and one-byte strings for ASCII.
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of response.body) {
      const tooLarge = bounds.check(chunk);
      if (tooLarge) {
        response.body.destroy(tooLarge);
        throw tooLarge;
      }
      parser.feed(decoder.write(chunk as Buffer));
      while (pending.length > 0) yield pending.shift()!;
    }
  } catch (error) {
    throw mapNetworkError(error, options);
  }
  parser.feed(decoder.end());
  parser.feed('\n\n');
  while (pending.length > 0) yield pending.shift()!;
}

/** Parses an event's data as JSON, or returns undefined when it is not JSON. */
export function parseEventJson<T>(data: string): T | undefined {
  try {
    return JSON.parse(data) as T;
  } catch {
    return undefined;
  }
}
