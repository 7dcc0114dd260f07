/**
 * Virtual keys: what a key may do (models, team) and what it may spend (budgets, rate limits).
 * The secret is shown once at creation and stored only as a SHA-256 hash. A fast hash is the
 * right one here: the secret is 256 random bits, so guessing it is hopeless at any hash speed,
 * while a slow password hash (bcrypt, argon2) would add tens of milliseconds to every request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { limitsFields } from '../governance-schema.js';
import { leverFields } from '../../config/lever-fields.js';
import { piiOnlyGuardrailsSchema } from '../../guardrails/guardrails-schema.js';

export const KEY_PREFIX = 'sk-sb-';

/** What the admin API and CLI accept when creating a key; `update` accepts any subset. */
export const keySettingsSchema = z.strictObject({
  name: z.string().min(1).max(200),
  team: z.string().min(1).nullable().optional(),
  /** Model and route names this key may call; omitted or null = all. */
  models: z.array(z.string().min(1)).nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  /** PII settings for this key's requests (docs/guardrails.md); they override the route's and the model's. */
  guardrails: piiOnlyGuardrailsSchema.nullable().optional(),
  ...limitsFields,
  /** Cache overrides, a context limit and an output cap for this key's requests (docs/cache.md). */
  ...leverFields,
});
export type KeySettings = z.infer<typeof keySettingsSchema>;

/** An update changes the fields it names; `null` removes a limit (a budget, a rate limit, the degradation policy). */
export const keyUpdateSchema = keySettingsSchema.partial().extend({
  id: z.string().min(1),
  budget_usd: limitsFields.budget_usd.unwrap().nullable().optional(),
  budget_tokens: limitsFields.budget_tokens.unwrap().nullable().optional(),
  budget_period: limitsFields.budget_period.unwrap().optional(),
  rpm: limitsFields.rpm.unwrap().nullable().optional(),
  tpm: limitsFields.tpm.unwrap().nullable().optional(),
  degradation: limitsFields.degradation.unwrap().nullable().optional(),
});
export type KeyUpdate = z.infer<typeof keyUpdateSchema>;

const REMOVABLE_LIMITS = ['budget_usd', 'budget_tokens', 'rpm', 'tpm', 'degradation'] as const;

/** The key with `changes` applied: given values replace, `null` removes a limit, absent keeps. */
export function updatedKey(current: VirtualKey, changes: Omit<KeyUpdate, 'id'>, now = Date.now()): VirtualKey {
  const next: Record<string, unknown> = { ...current, updated_at: now };
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (value === null && (REMOVABLE_LIMITS as readonly string[]).includes(field)) delete next[field];
    else next[field] = value;
  }
  return next as unknown as VirtualKey;
}

export interface VirtualKey extends KeySettings {
  id: string;
  /** sha256 of the secret, hex. */
  key_hash: string;
  /** The secret's first and last characters, so a person can tell keys apart. */
  key_hint: string;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
}

/** Public view of a key: never the hash. */
export function describeKey(key: VirtualKey): Omit<VirtualKey, 'key_hash'> {
  const { key_hash: _hash, ...rest } = key;
  return rest;
}

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new key: its secret (to show once) and the record to store. */
export function newVirtualKey(settings: KeySettings, now = Date.now()): { secret: string; key: VirtualKey } {
  const secret = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const id = `key_${randomBytes(9).toString('base64url')}`;
  return {
    secret,
    key: {
      ...settings,
      team: settings.team ?? null,
      models: settings.models ?? null,
      metadata: settings.metadata ?? null,
      id,
      key_hash: hashKey(secret),
      key_hint: `${secret.slice(0, 10)}…${secret.slice(-4)}`,
      created_at: now,
      updated_at: now,
      revoked_at: null,
    },
  };
}
