/**
 * A chat request on its way through the pipeline: the canonical request (OpenAI's chat shape,
 * whatever API it came in on), the surface it came in on, and the request's scope.
 *
 * A stage that rewrites the request replaces `request` with a changed copy rather than editing
 * it in place: the native body a request was decoded from (protocol/native-body.ts) belongs to
 * the original object, so a rewritten request is translated instead of passed through stale.
 */
import type { ChatCompletionRequest } from '../protocol/chat-types.js';
import type { RequestScope } from './request-scope.js';

/** The inbound APIs: each decodes into the one chat request and encodes the outcome back. */
export type Surface = 'chat-completions' | 'messages' | 'responses' | 'embeddings' | 'batch';

export interface ChatExchange {
  readonly scope: RequestScope;
  readonly surface: Surface;
  request: ChatCompletionRequest;
}
