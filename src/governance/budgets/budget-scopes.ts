/**
 * Who a request spends for: its key, the key's team, and its end user (the OpenAI `user`
 * field). Each scope that has limits contributes budget counters and rate windows.
 */
import type { GovernanceConfig, Limits } from '../governance-schema.js';
import type { VirtualKey } from '../keys/virtual-key.js';

export type ScopeKind = 'key' | 'team' | 'user';

export interface Scope {
  kind: ScopeKind;
  /** The key id, team name or user name. */
  id: string;
  /** What a person reads in an error: `key 'team-a' (key_…)`. */
  label: string;
  limits: Limits;
}

export function scopesFor(key: VirtualKey | undefined, endUser: string | undefined, config: GovernanceConfig): Scope[] {
  const scopes: Scope[] = [];
  if (key) scopes.push({ kind: 'key', id: key.id, label: `key '${key.name}' (${key.id})`, limits: key });
  const team = key?.team ? config.teams[key.team] : undefined;
  if (key?.team && team) scopes.push({ kind: 'team', id: key.team, label: `team '${key.team}'`, limits: team });
  if (endUser) {
    const limits = config.end_users.users[endUser] ?? config.end_users.default;
    if (limits) scopes.push({ kind: 'user', id: endUser, label: `end user '${endUser}'`, limits });
  }
  return scopes.filter((scope) => hasLimits(scope.limits));
}

function hasLimits(limits: Limits): boolean {
  return limits.budget_usd !== undefined || limits.budget_tokens !== undefined || limits.rpm !== undefined || limits.tpm !== undefined;
}
