/** What every surface puts on the request record once its request is decoded. */
import type { Surface } from '../pipeline/chat-exchange.js';
import type { RequestScope } from '../pipeline/request-scope.js';
import type { ChatCompletionRequest } from '../protocol/chat-types.js';

/** `body` is the request as received, kept only when `storage.log_bodies` is on. */
export function recordChatRequest(scope: RequestScope, surface: Surface, request: ChatCompletionRequest, body?: unknown): void {
  const record = scope.record;
  record.surface = surface;
  record.requested_model = request.model;
  record.streamed = request.stream === true;
  record.end_user = request.user ?? null;
  record.metadata = request.metadata ?? null;
  if (body !== undefined) record.request_body = JSON.stringify(body);
}
