/**
 * The exact cache's key: the canonical request — every field that can change the answer, as
 * sorted JSON (safe-stable-stringify), without `stream`, `stream_options`, `user` and the
 * bookkeeping fields `metadata` and `store` — hashed with the inbound API it came in on. The
 * target the client named is the request's `model`, so it is part of the hash; it is also kept
 * apart with the tenant so that entries can be cleared by model, and so that the tenant is a
 * hard filter (a different store key), never something mixed into a hash or an embedding.
 *
 * A `/v1/messages` request is keyed by the client's own body when it still has it, since that
 * body (not its translation) is what an Anthropic deployment answers.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import type { Principal } from '../governance/keys/authenticate.js';
import type { ChatExchange } from '../pipeline/chat-exchange.js';
import { nativeBodyOf } from '../protocol/native-body.js';
import type { CacheScope } from './cache-schema.js';

/** Fields that never change the answer. */
const IGNORED_FIELDS = new Set(['stream', 'stream_options', 'user', 'metadata', 'store']);

export interface CacheAddress {
  /** The tenant: `key:<id>`, `team:<name>` or `global`. A hard filter. */
  tenant: string;
  /** The target the client named: a model or a route. */
  model: string;
  /** sha256 of the surface and the canonical request. */
  hash: string;
}

export function cacheAddress(exchange: ChatExchange, scope: CacheScope): CacheAddress {
  const { request } = exchange;
  const native = nativeBodyOf(request);
  const source = (native ? native.body : request) as Record<string, unknown>;
  const canonical: Record<string, unknown> = {};
  for (const field of Object.keys(source)) if (!IGNORED_FIELDS.has(field)) canonical[field] = source[field];
  const hash = createHash('sha256').update(exchange.surface).update('\n').update(stringify(canonical) ?? '').digest('hex');
  return { tenant: tenantOf(exchange.scope.principal, scope), model: request.model, hash };
}

/** The tenant whose entries a caller may read: its key's, its team's, or everyone's. */
export function tenantOf(principal: Principal, scope: CacheScope): string {
  if (scope === 'global') return 'global';
  if (principal.kind !== 'virtual-key') return principal.kind;
  const { key } = principal;
  // A key with no team keeps its entries to itself under `scope: team`.
  if (scope === 'team' && key.team) return `team:${key.team}`;
  return `key:${key.id}`;
}
