/**
 * An Anthropic deployment's event stream, for a same-protocol pass-through. `startNativeStream`
 * resolves only once the first event is in, so a deployment that accepts the connection and then
 * fails (or opens with an `error` event) is failed over before any byte reaches the client, as
 * `peekFirst` does for translated streams.
 *
 * The events can then be read in one of two ways, once:
 * - `events()`: the upstream's events as they came (`event` name and `data` text), for a relay to
 *   an Anthropic client. Only the event name is read; the data is not parsed, so thinking blocks,
 *   signatures and any event type added later pass through intact;
 * - `chunks()`: the same events as OpenAI chunks (AnthropicStreamMapper), for a consumer that
 *   needs the canonical form (a stage that rewrites streams).
 * Both end the same way: an `error` event throws the mapped gateway error, and a body that ends
 * before `message_stop` throws UpstreamMalformedResponseError.
 */
import { UpstreamMalformedResponseError, type GatewayError } from '../../errors/index.js';
import type { AnthropicErrorBody, AnthropicStreamEvent } from '../../protocol/anthropic-messages-types.js';
import type { ChatCompletionChunk } from '../../protocol/chat-types.js';
import type { NativeEventStream } from '../provider.js';
import { parseEventJson, type ServerSentEvent } from '../shared/sse-parser.js';
import { mapAnthropicStreamError } from './error-mapping.js';
import { AnthropicStreamMapper } from './stream-mapping.js';

/** Reads the first event of `source`, failing the way the rest of the stream would. */
export async function startNativeStream(source: AsyncGenerator<ServerSentEvent>, provider: string): Promise<NativeEventStream> {
  let first: IteratorResult<ServerSentEvent>;
  try {
    first = await source.next();
  } catch (error) {
    await source.return(undefined);
    throw error;
  }
  if (first.done) throw new UpstreamMalformedResponseError(provider, 'the stream ended before its first event');
  if (eventName(first.value) === 'error') {
    await source.return(undefined);
    throw errorOf(first.value, provider);
  }
  return new NativeStream(source, first.value, provider);
}

class NativeStream implements NativeEventStream {
  private read = false;

  constructor(
    private readonly source: AsyncGenerator<ServerSentEvent>,
    private readonly first: ServerSentEvent,
    private readonly provider: string,
  ) {}

  events(): AsyncIterable<ServerSentEvent> {
    this.claim();
    return this.relayed();
  }

  chunks(): AsyncIterable<ChatCompletionChunk> {
    this.claim();
    return this.mapped();
  }

  cancel(): void {
    void this.source.return(undefined);
  }

  private claim(): void {
    if (this.read) throw new Error('a native Anthropic stream is read once');
    this.read = true;
  }

  private async *relayed(): AsyncGenerator<ServerSentEvent> {
    let event: ServerSentEvent | undefined = this.first;
    let drained = false;
    try {
      while (event) {
        const name = eventName(event);
        if (name === 'error') throw errorOf(event, this.provider);
        yield event;
        if (name === 'message_stop') break;
        const next = await this.source.next();
        event = next.done ? undefined : next.value;
      }
      if (!event) throw new UpstreamMalformedResponseError(this.provider, 'the stream ended before message_stop');
      // Read on to the end of the body rather than stop: stopping destroys the body, and undici
      // then closes the keep-alive connection to Anthropic.
      for (let next = await this.source.next(); !next.done; next = await this.source.next());
      drained = true;
    } finally {
      if (!drained) await this.source.return(undefined);
    }
  }

  private async *mapped(): AsyncGenerator<ChatCompletionChunk> {
    const mapper = new AnthropicStreamMapper({ provider: this.provider, created: Math.floor(Date.now() / 1000), jsonMode: false });
    for await (const event of this.relayed()) {
      const data = parseEventJson<AnthropicStreamEvent>(event.data);
      if (!data || typeof data.type !== 'string') throw new UpstreamMalformedResponseError(this.provider, 'a stream event is not JSON');
      yield* mapper.map(data);
    }
  }
}

/** The event's type: its `event:` line, which Anthropic always sends, else the type in its data. */
function eventName(event: ServerSentEvent): string | undefined {
  return event.event ?? parseEventJson<{ type?: string }>(event.data)?.type;
}

function errorOf(event: ServerSentEvent, provider: string): GatewayError {
  const body = parseEventJson<AnthropicErrorBody>(event.data);
  return mapAnthropicStreamError(body && typeof body === 'object' ? body : { type: 'error', error: { type: 'api_error', message: event.data.slice(0, 500) } }, provider);
}
