/**
 * The HTTP route table: method and path to handler. Fixed paths only, so a Map lookup is
 * all the routing the hot path pays for.
 */
import type { Gateway } from './gateway.js';
import type { RequestContext } from './request-context.js';
import { handleChatCompletions } from './handlers/chat-completions.js';
import { handleEmbeddings } from './handlers/embeddings.js';
import { handleHealth } from './handlers/health.js';
import { handleListModels } from './handlers/models.js';
import { handleRecentRequests, handleSpend } from './handlers/spend.js';

export type Handler = (gateway: Gateway, context: RequestContext) => Promise<void>;

const HANDLERS = new Map<string, Map<string, Handler>>([
  ['/v1/chat/completions', new Map([['POST', handleChatCompletions]])],
  ['/chat/completions', new Map([['POST', handleChatCompletions]])],
  ['/v1/embeddings', new Map([['POST', handleEmbeddings]])],
  ['/v1/models', new Map([['GET', handleListModels]])],
  ['/health', new Map([['GET', handleHealth]])],
  ['/api/spend', new Map([['GET', handleSpend]])],
  ['/api/requests', new Map([['GET', handleRecentRequests]])],
]);

export function findHandler(method: string, path: string): Handler | 'method-not-allowed' | undefined {
  const byMethod = HANDLERS.get(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
  if (!byMethod) return undefined;
  return byMethod.get(method) ?? 'method-not-allowed';
}

/** Lets later modules (admin APIs) add routes without editing the table above. */
export function registerHandler(method: string, path: string, handler: Handler): void {
  let byMethod = HANDLERS.get(path);
  if (!byMethod) HANDLERS.set(path, (byMethod = new Map()));
  byMethod.set(method, handler);
}
