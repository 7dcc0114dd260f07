/**
 * The governance service a gateway holds: who is calling (admin key, virtual keys), what a
 * request may spend (admission and settlement), and key management for the admin API and CLI.
 * Counters live in memory for one instance, or in Redis when `redis.url` is set so that N
 * instances enforce one budget and one rate limit. Key changes go to the audit log, which the
 * service opens on the same database as the keys (src/audit).
 */
import type { Logger } from 'pino';
import type { AuditActor } from '../audit/audit-actor.js';
import type { AuditLog } from '../audit/audit-log.js';
import { openAuditLog } from '../audit/open-audit-log.js';
import type { GatewayConfig } from '../config/schema.js';
import { NotFoundError } from '../errors/index.js';
import type { ModelRegistry } from '../models/model-registry.js';
import type { RequestScope } from '../pipeline/request-scope.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from '../protocol/chat-types.js';
import type { RouteTable } from '../routing/route-table.js';
import type { RequestLogStore } from '../storage/request-log-store.js';
import type { Admission, AdmissionServices } from './admission/admission.js';
import { admitPrepaid, releaseBatchHold, reserveBatch, restoreBatchHold, settleBatchLine, type BatchHold, type HeldAmount, type PrepaidBudget } from './admission/batch-hold.js';
import type { Principal } from './keys/authenticate.js';
import type { RequestRecord } from '../storage/request-record.js';
import { admitChat, admitUnlimitedChat, type ChatAdmission, type ExtraCallSteps } from './admission/admit-chat.js';
import { admitEmbeddings } from './admission/admit-embeddings.js';
import type { CounterStore } from './counters/counter-store.js';
import { MemoryCounterStore } from './counters/memory-counter-store.js';
import { authenticate, digest, type Authenticator } from './keys/authenticate.js';
import type { KeyStore } from './keys/key-store.js';
import { openKeyStore } from './keys/open-key-store.js';
import { describeKey, hashKey, newVirtualKey, updatedKey, type KeySettings, type KeyUpdate, type VirtualKey } from './keys/virtual-key.js';
import { LimitsAdmin } from './scope-limits/limits-admin.js';
import type { LimitsStore } from './scope-limits/limits-store.js';
import { openLimitsStore } from './scope-limits/open-limits-store.js';
import { StoredLimits } from './scope-limits/stored-limits.js';

export interface GovernanceOptions {
  config: GatewayConfig;
  store: RequestLogStore;
  registry: ModelRegistry;
  routes: RouteTable;
  logger: Logger;
  environment?: NodeJS.ProcessEnv;
  /** Use these instead of opening them from the config (tests, CLI). */
  keys?: KeyStore;
  limits?: LimitsStore;
  counters?: CounterStore;
  audit?: AuditLog;
}

export class Governance {
  private readonly keyCache = new Map<string, { key: VirtualKey | undefined; until: number }>();
  private services: AdmissionServices;
  /** Built once: authentication runs on every request. */
  private readonly authenticator: Authenticator;
  /** Teams and end users through the admin API (/api/teams, /api/end-users). */
  readonly limitsAdmin: LimitsAdmin;

  private constructor(
    readonly keys: KeyStore,
    private readonly storedLimits: StoredLimits,
    readonly counters: CounterStore,
    /** Every admin action, as a hash chain; see src/audit/audit-log.ts. */
    readonly audit: AuditLog,
    readonly adminKeyDigest: Buffer | undefined,
    private readonly options: GovernanceOptions,
  ) {
    const { config, registry, routes, store, logger } = options;
    this.authenticator = { adminKeyDigest, findKey: (secret) => this.findKey(secret) };
    this.services = { config: config.governance, limits: storedLimits, counters, registry, routes, store, logger, seeded: new Map() };
    this.limitsAdmin = new LimitsAdmin(storedLimits, audit, () => this.services.config);
  }

  static async create(options: GovernanceOptions): Promise<Governance> {
    const { config } = options;
    const adminKey = (options.environment ?? process.env).SWITCHBOARD_ADMIN_KEY || config.admin_key;
    const keys = options.keys ?? (await openKeyStore(config.storage.url));
    const limits = options.limits ?? (await openLimitsStore(config.storage.url));
    let counters = options.counters;
    if (!counters && config.redis) {
      const { RedisCounterStore } = await import('./counters/redis-counter-store.js');
      counters = new RedisCounterStore(config.redis.url, config.redis.key_prefix);
    }
    counters ??= new MemoryCounterStore();
    const audit = options.audit ?? (await openAuditLog(config.storage.url));
    if (!adminKey) options.logger.warn('no admin key set (SWITCHBOARD_ADMIN_KEY or admin_key): /api/* is open and /v1 accepts requests without a key');
    return new Governance(keys, new StoredLimits(limits), counters, audit, adminKey ? digest(adminKey) : undefined, options);
  }

  get adminKeyConfigured(): boolean {
    return this.adminKeyDigest !== undefined;
  }

  /**
   * Identifies the caller of any request (throws 401/403), sets it on the scope for admission,
   * and puts the key and team in the request record.
   */
  async authenticate(scope: RequestScope, path: string): Promise<void> {
    const principal = await authenticate(this.authenticator, path, scope.httpHeaders);
    scope.principal = principal;
    if (principal.kind === 'virtual-key') {
      scope.record.key_id = principal.key.id;
      scope.record.team = principal.key.team ?? null;
    }
  }

  /**
   * Admits at once a request no budget or limit can apply to (admitUnlimitedChat), so the admit
   * stage need not wait; false when it must call `admitChat`.
   */
  admitsFreely(scope: RequestScope, request: ChatCompletionRequest): boolean {
    return scope.prepaid === undefined && admitUnlimitedChat(scope.principal, request);
  }

  /** Admits a chat request (scope, degradation, rate limit, budget reservation); see admission/. */
  async admitChat(scope: RequestScope, request: ChatCompletionRequest, extraSteps?: ExtraCallSteps): Promise<ChatAdmission> {
    if (scope.prepaid) {
      const prepaid = await admitPrepaid(this.services, scope.principal, request.model, scope.prepaid.reserved.tokens, scope.prepaid);
      Object.assign(scope.headers, prepaid.headers);
      return { ...prepaid, request };
    }
    const admission = await admitChat(this.services, scope.principal, request, scope.record, extraSteps);
    Object.assign(scope.headers, admission.headers);
    return admission;
  }

  /** Admits an embeddings request under the same limits as chat. */
  async admitEmbeddings(scope: RequestScope, request: EmbeddingsRequest): Promise<Admission> {
    if (scope.prepaid) return admitPrepaid(this.services, scope.principal, request.model, scope.prepaid.reserved.tokens, scope.prepaid);
    const admission = await admitEmbeddings(this.services, scope.principal, request);
    Object.assign(scope.headers, admission.headers);
    return admission;
  }

  /** Holds a batch's estimated cost on the caller's budgets, or throws 429 budget_exceeded (admission/batch-hold.ts). */
  reserveBatch(principal: Principal, total: HeldAmount, ttlMs: number, lines: number): Promise<BatchHold | null> {
    return reserveBatch(this.services, principal, total, ttlMs, lines);
  }

  /** Restores a resumed batch's hold on counters that may have lost it. */
  restoreBatchHold(hold: BatchHold, outstanding: HeldAmount, ttlMs: number): Promise<void> {
    return restoreBatchHold(this.services, hold, outstanding, ttlMs);
  }

  /** Settles one line a provider's batch API answered against its batch's hold. */
  settleBatchLine(prepaid: PrepaidBudget, record: RequestRecord): Promise<void> {
    return settleBatchLine(this.services, prepaid, record);
  }

  releaseBatchHold(hold: BatchHold): Promise<void> {
    return releaseBatchHold(this.services, hold);
  }

  /** A live reload: limits, models and routes from the new config; counters and keys are kept. */
  reconfigure(next: { config: GatewayConfig; registry: ModelRegistry; routes: RouteTable }): void {
    this.services = { ...this.services, config: next.config.governance, registry: next.registry, routes: next.routes };
  }

  async createKey(settings: KeySettings, by: AuditActor): Promise<{ secret: string; key: VirtualKey }> {
    const created = newVirtualKey(settings);
    await this.keys.insert(created.key);
    await this.audit.record('key.create', { ...by, target: created.key.id, after: describeKey(created.key) });
    return created;
  }

  async updateKey(update: KeyUpdate, by: AuditActor): Promise<VirtualKey> {
    const { id, ...changes } = update;
    const current = await this.requireKey(id);
    const next = updatedKey(current, changes);
    await this.keys.replace(next);
    this.keyCache.delete(current.key_hash);
    await this.audit.record('key.update', { ...by, target: id, before: describeKey(current), after: describeKey(next) });
    return next;
  }

  async revokeKey(id: string, by: AuditActor): Promise<VirtualKey> {
    const current = await this.requireKey(id);
    const next: VirtualKey = { ...current, revoked_at: current.revoked_at ?? Date.now(), updated_at: Date.now() };
    await this.keys.replace(next);
    this.keyCache.delete(current.key_hash);
    await this.audit.record('key.revoke', { ...by, target: id, before: describeKey(current), after: describeKey(next) });
    return next;
  }

  async close(): Promise<void> {
    await this.counters.close();
    await this.keys.close();
    await this.storedLimits.store.close();
    await this.audit.close();
  }

  private async requireKey(id: string): Promise<VirtualKey> {
    const key = await this.keys.get(id);
    if (!key) throw new NotFoundError(`No key with id '${id}'.`);
    return key;
  }

  /**
   * Looks a secret up by its hash. Results (misses too) are cached for `key_cache_ms`, so a
   * burst of requests costs one store read; a revocation elsewhere takes effect within that.
   */
  private async findKey(secret: string): Promise<VirtualKey | undefined> {
    const hash = hashKey(secret);
    const now = Date.now();
    const cached = this.keyCache.get(hash);
    if (cached && cached.until > now) return cached.key;
    const key = await this.keys.findByHash(hash);
    if (this.keyCache.size > 10_000) this.keyCache.clear();
    this.keyCache.set(hash, { key, until: now + this.options.config.governance.key_cache_ms });
    return key;
  }
}
