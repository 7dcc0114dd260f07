/**
 * Teams and end users created through the admin API (`/api/teams`, `/api/end-users`): a name
 * and the same limits a config entry under `governance.teams` or `governance.end_users.users`
 * has. The config file keeps precedence: a name it defines is read-only here (stored-limits.ts).
 */
import { z } from 'zod';
import { BUDGET_PERIODS, degradationSchema, limitsFields, type Limits } from '../governance-schema.js';

export type LimitsKind = 'team' | 'user';

/** What a person reads: `team 'search'`, `end user 'alice'`. */
export const KIND_LABEL: Record<LimitsKind, string> = { team: 'team', user: 'end user' };

export const limitsEntrySchema = z.strictObject({ name: z.string().min(1).max(200), ...limitsFields });
export type LimitsEntrySettings = z.infer<typeof limitsEntrySchema>;

/** An update names the entry and any limits to change; `null` removes a limit. */
export const limitsUpdateSchema = z.strictObject({
  name: z.string().min(1).max(200),
  budget_usd: z.number().positive().nullable().optional(),
  budget_tokens: z.number().int().positive().nullable().optional(),
  budget_period: z.enum(BUDGET_PERIODS).optional(),
  rpm: z.number().int().positive().nullable().optional(),
  tpm: z.number().int().positive().nullable().optional(),
  degradation: degradationSchema.nullable().optional(),
});
export type LimitsUpdate = z.infer<typeof limitsUpdateSchema>;

export interface LimitsEntry {
  kind: LimitsKind;
  name: string;
  limits: Limits;
  created_at: number;
  updated_at: number;
}

export function newLimitsEntry(kind: LimitsKind, settings: LimitsEntrySettings, now = Date.now()): LimitsEntry {
  const { name, ...limits } = settings;
  return { kind, name, limits, created_at: now, updated_at: now };
}

/** The entry with `update` applied: given values replace, `null` removes, absent keeps. */
export function updatedLimitsEntry(entry: LimitsEntry, update: LimitsUpdate, now = Date.now()): LimitsEntry {
  const { name: _name, ...changes } = update;
  const limits: Record<string, unknown> = { ...entry.limits };
  for (const [field, value] of Object.entries(changes)) {
    if (value === null) delete limits[field];
    else if (value !== undefined) limits[field] = value;
  }
  return { ...entry, limits: limits as Limits, updated_at: now };
}
