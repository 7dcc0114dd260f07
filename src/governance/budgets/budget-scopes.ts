/**
 * Who a request spends for: its key, the key's team, and its end user (the OpenAI `user`
 * field). Each scope that has limits contributes budget counters and rate windows. Team and
 * end-user limits come from the config or the admin API (scope-limits/stored-limits.ts).
 */
import type { GovernanceConfig, Limits } from '../governance-schema.js';
import type { VirtualKey } from '../keys/virtual-key.js';
import type { StoredLimits } from '../scope-limits/stored-limits.js';

export type ScopeKind = 'key' | 'team' | 'user';

export interface Scope {
  kind: ScopeKind;
  /** The key id, team name or user name. */
  id: string;
  /** What a person reads in an error: `key 'team-a' (key_…)`. */
  label: string;
  limits: Limits;
}

/**
 * True when no scope can apply to this caller and request without a lookup: no key with limits
 * or a team, and no end user (whose limits are stored). `scopesFor` would return no scope.
 */
export function plainlyUnlimited(key: VirtualKey | undefined, endUser: string | undefined): boolean {
  return !endUser && (key === undefined || (!key.team && !hasLimits(key)));
}

export async function scopesFor(key: VirtualKey | undefined, endUser: string | undefined, services: { config: GovernanceConfig; limits: StoredLimits }): Promise<Scope[]> {
  const scopes: Scope[] = [];
  if (key) scopes.push({ kind: 'key', id: key.id, label: `key '${key.name}' (${key.id})`, limits: key });
  const team = key?.team ? await services.limits.team(services.config, key.team) : undefined;
  if (key?.team && team) scopes.push({ kind: 'team', id: key.team, label: `team '${key.team}'`, limits: team });
  if (endUser) {
    const limits = await services.limits.endUser(services.config, endUser);
    if (limits) scopes.push({ kind: 'user', id: endUser, label: `end user '${endUser}'`, limits });
  }
  return scopes.filter((scope) => hasLimits(scope.limits));
}

export function hasLimits(limits: Limits): boolean {
  return limits.budget_usd !== undefined || limits.budget_tokens !== undefined || limits.rpm !== undefined || limits.tpm !== undefined;
}
