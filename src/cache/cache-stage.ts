/**
 * The cache stage: looked up before the request is routed, stored once the answer is delivered.
 *
 *   lookup: the exact entry for (tenant, named model, hash of surface + canonical request);
 *           then, with `semantic` on, the nearest stored question of the same tenant, model,
 *           surface and system prompt (semantic-cache.ts)
 *   hit:    the stored answer, in the form asked for (cache-hit.ts), at cost 0; the log keeps
 *           what it saved (`cache_saved_usd`)
 *   miss:   the rest of the pipeline runs; a whole answer is stored at once, a stream is
 *           copied as it goes out (answer-capture.ts) and stored in a finish hook, so only a
 *           stream that reached its end is ever stored
 *
 * `x-switchboard-cache: HIT | SEMANTIC_HIT | MISS | BYPASS` says which; BYPASS when the lookup
 * was skipped (`Cache-Control: no-cache`/`no-store`, `x-switchboard-cache: off|write_only`, or
 * the cache is off for this route, model or key).
 */
import type { Logger } from '../logging/logger.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { ChatExchange } from '../pipeline/chat-exchange.js';
import type { ChatOutcome } from '../pipeline/chat-outcome.js';
import type { LeverTable } from '../pipeline/lever-settings.js';
import type { Stage } from '../pipeline/stage.js';
import { answerHasToolCalls } from './answer-tools.js';
import { captureAnswer } from './answer-capture.js';
import { cacheDirectives } from './cache-control.js';
import type { CachedAnswer, CacheEntry } from './cache-entry.js';
import { hitOutcome } from './cache-hit.js';
import { cacheAddress } from './cache-key.js';
import { mergeCacheSettings, type CacheConfig, type CacheSettings } from './cache-schema.js';
import type { CacheStore } from './cache-store.js';
import type { SemanticCache } from './semantic-cache.js';

export interface CacheStageServices {
  config: CacheConfig;
  store: CacheStore;
  levers: LeverTable;
  registry: ModelRegistry;
  logger: Logger;
  /** Present when any config turns the semantic layer on. */
  semantic?: SemanticCache | undefined;
}

export function cacheStage(services: CacheStageServices): Stage<ChatExchange, ChatOutcome> {
  const { config, store, levers, registry, logger, semantic } = services;
  const base: CacheSettings = { enabled: config.enabled, exact: config.exact, semantic: config.semantic, scope: config.scope };

  const settingsFor = (exchange: ChatExchange): CacheSettings => {
    let settings = base;
    for (const source of levers.sources(exchange.request.model, exchange.scope.principal)) settings = mergeCacheSettings(settings, source.cache);
    return settings;
  };

  return {
    name: 'cache',
    async run(exchange, next) {
      const { scope } = exchange;
      const settings = settingsFor(exchange);
      const directives = cacheDirectives(scope.httpHeaders);
      const semanticOn = settings.semantic.enabled && semantic !== undefined;
      if (!settings.enabled || (!settings.exact.enabled && !semanticOn) || (!directives.read && !directives.write)) return bypass(exchange, next);

      const address = cacheAddress(exchange, settings.scope);
      const now = Date.now();
      const oldest = directives.maxAgeMs === undefined ? 0 : now - directives.maxAgeMs;
      const question = semanticOn ? semantic.question(exchange, address.tenant, settings) : undefined;
      if (directives.read) {
        const exact = settings.exact.enabled ? await lookup(() => store.get(address, now)) : undefined;
        if (exact && exact.created_at >= oldest) {
          const outcome = replayable(() => hitOutcome(exact, exchange.request.stream === true, registry, {}));
          if (outcome) return served(exchange, exact, outcome, 'HIT');
        }
        if (question) {
          const near = await lookup(() => semantic!.find(question, settings, now));
          if (near && near.entry.created_at >= oldest) {
            const outcome = replayable(() => hitOutcome(near.entry, exchange.request.stream === true, registry, { 'x-switchboard-cache-similarity': near.similarity.toFixed(4) }));
            if (outcome) return served(exchange, near.entry, outcome, 'SEMANTIC_HIT');
          }
        }
      }
      const status = directives.read ? 'MISS' : 'BYPASS';
      scope.record.cache_status = status;
      scope.headers['x-switchboard-cache'] = status;
      const outcome = await next();
      if (!directives.write) return outcome;
      const captured = captureAnswer(outcome, config.max_entry_bytes);
      const keep = async (answer: CachedAnswer, servedModel: string, deployment: string, costUsd: number): Promise<void> => {
        const created = Date.now();
        const entry: CacheEntry = { created_at: created, expires_at: created + settings.exact.ttl_s * 1000, served_model: servedModel, deployment, cost_usd: costUsd, answer };
        try {
          // Stored even with the exact layer off: the semantic index points at the same entries.
          await store.set(address, entry);
          // Answers that call tools depend on what the tools will return: never matched by meaning.
          if (question && !answerHasToolCalls(answer)) await semantic!.remember(question, address, entry);
        } catch (error) {
          logger.warn({ err: error, requestId: scope.id }, 'an answer could not be stored in the cache');
        }
      };
      if (outcome.kind === 'completed') {
        // A whole answer is whole now: kept before it is sent, so the client's next request finds it.
        const { call } = outcome;
        await keep(captured.answer()!, call.model.name, call.deployment.id, call.cost.costUsd + outcome.extraCost);
        return captured.outcome;
      }
      const { record } = scope;
      // A stream is kept once it has been delivered to its end (its cost is known then too).
      scope.onFinish(async () => {
        const answer = captured.answer();
        if (answer && record.status < 400 && record.served_model !== null && record.deployment !== null) await keep(answer, record.served_model, record.deployment, record.cost_usd);
      });
      return captured.outcome;
    },
  };

  /** An entry that cannot be replayed (written by another version, damaged) is a miss. */
  function replayable(replay: () => ChatOutcome | undefined): ChatOutcome | undefined {
    try {
      return replay();
    } catch (error) {
      logger.warn({ err: error }, 'a cache entry could not be replayed; treating it as a miss');
      return undefined;
    }
  }

  /** A store that cannot answer is a miss, never a failed request. */
  async function lookup<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      logger.warn({ err: error }, 'the cache could not be read; treating it as a miss');
      return undefined;
    }
  }
}

function bypass(exchange: ChatExchange, next: () => Promise<ChatOutcome>): Promise<ChatOutcome> {
  exchange.scope.record.cache_status = 'BYPASS';
  exchange.scope.headers['x-switchboard-cache'] = 'BYPASS';
  return next();
}

function served(exchange: ChatExchange, entry: CacheEntry, outcome: ChatOutcome, status: 'HIT' | 'SEMANTIC_HIT'): ChatOutcome {
  const { scope } = exchange;
  scope.record.cache_status = status;
  scope.record.cache_saved_usd = entry.cost_usd;
  scope.headers['x-switchboard-cache'] = status;
  scope.headers['x-switchboard-cache-age'] = String(Math.max(0, Math.floor((Date.now() - entry.created_at) / 1000)));
  return outcome;
}

