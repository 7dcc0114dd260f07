/**
 * The limits of a team or end user as admission sees them, config first:
 *
 *   team:     governance.teams[name]            → a team made through /api/teams
 *   end user: governance.end_users.users[name]  → an end user made through /api/end-users
 *                                               → governance.end_users.default
 *
 * The config file wins because it is what an operator reviews and deploys: a name it defines
 * cannot be created, changed or deleted through the API (409), and a stored entry whose name a
 * reloaded config takes over is ignored until the config lets go of it.
 *
 * Store reads are cached for `key_cache_ms`, misses included, so a burst of requests from one
 * end user costs one read; a change made on another instance takes effect within that time.
 */
import type { GovernanceConfig, Limits } from '../governance-schema.js';
import type { LimitsKind } from './limits-entry.js';
import type { LimitsStore } from './limits-store.js';

const MAX_CACHED = 10_000;

export class StoredLimits {
  private readonly cache = new Map<string, { limits: Limits | undefined; until: number }>();

  constructor(readonly store: LimitsStore) {}

  /** The config's limits for this name, if the config defines it. */
  static fromConfig(config: GovernanceConfig, kind: LimitsKind, name: string): Limits | undefined {
    return kind === 'team' ? own(config.teams, name) : own(config.end_users.users, name);
  }

  async team(config: GovernanceConfig, name: string): Promise<Limits | undefined> {
    return StoredLimits.fromConfig(config, 'team', name) ?? (await this.stored(config, 'team', name));
  }

  async endUser(config: GovernanceConfig, name: string): Promise<Limits | undefined> {
    return StoredLimits.fromConfig(config, 'user', name) ?? (await this.stored(config, 'user', name)) ?? config.end_users.default;
  }

  /** Drops this instance's cached read after a change made here. */
  forget(kind: LimitsKind, name: string): void {
    this.cache.delete(`${kind}\u0000${name}`);
  }

  private async stored(config: GovernanceConfig, kind: LimitsKind, name: string): Promise<Limits | undefined> {
    const cacheKey = `${kind}\u0000${name}`;
    const now = Date.now();
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > now) return cached.limits;
    const limits = (await this.store.get(kind, name))?.limits;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(cacheKey, { limits, until: now + config.key_cache_ms });
    return limits;
  }
}

function own(record: Record<string, Limits>, name: string): Limits | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
