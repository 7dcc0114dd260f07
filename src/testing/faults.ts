/**
 * The upstream faults the reliability layer must absorb, as fake-upstream handlers, shared by the
 * fault-injection tests and `npm run chaos`. Each answers streaming and non-streaming requests
 * the way a real broken upstream would.
 */
import type { FakeHandler, FakeRequest } from './fake-upstream.js';
import { openAICompletion, openAIError, openAIStream } from './openai-replies.js';

export interface Fault {
  name: string;
  /** Whether the fault shows on streaming requests (true) or plain ones (false). */
  stream: boolean;
  handler: FakeHandler;
  /** True when a client can see it: a stream cut after its first byte reached the client. */
  visibleToClient?: boolean;
}

const isStream = (request: FakeRequest) => request.body?.stream === true;

/** A healthy OpenAI-compatible upstream: a completion, or a short stream. */
export const healthy: FakeHandler = (request) => (isStream(request) ? openAIStream(['Hello', ' there', '!']) : openAICompletion());

export const FAULTS: Fault[] = [
  { name: '500 errors', stream: false, handler: () => openAIError(500, 'The server had an error while processing your request.', 'server_error', null) },
  {
    name: '429 with Retry-After',
    stream: false,
    handler: () => openAIError(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded', { 'retry-after': '1' }),
  },
  { name: 'hang', stream: false, handler: () => ({ hang: true }) },
  { name: 'malformed JSON', stream: false, handler: () => ({ raw: '{"id": "chatcmpl-1", "choices": [{"index": 0, "mess' }) },
  { name: 'connection reset before the stream', stream: true, handler: () => ({ reset: true }) },
  { name: 'reset after headers, before the first chunk', stream: true, handler: () => openAIStream(['never', 'sent'], { resetAfter: 0 }) },
  { name: 'malformed SSE', stream: true, handler: () => ({ sse: ['{"id": "chatcmpl-1", "object": "chat.compl', '[DONE]'] }) },
  { name: 'reset mid-stream', stream: true, handler: () => openAIStream(['one ', 'two ', 'three'], { resetAfter: 2, gapMs: 20 }), visibleToClient: true },
];
