/**
 * Where virtual keys live: SQLite in the same database as the request log by default,
 * PostgreSQL when `storage.url` is postgres://, so every instance sees the same keys.
 * Both keep the fixed columns below plus one JSON column for the settings, mapped here once.
 */
import type { VirtualKey } from './virtual-key.js';

export interface KeyStore {
  insert(key: VirtualKey): Promise<void>;
  findByHash(hash: string): Promise<VirtualKey | undefined>;
  get(id: string): Promise<VirtualKey | undefined>;
  list(options?: { includeRevoked?: boolean }): Promise<VirtualKey[]>;
  /** Replaces the stored key with `key` (same id). */
  replace(key: VirtualKey): Promise<void>;
  close(): Promise<void>;
}

export const KEY_COLUMNS = ['id', 'name', 'key_hash', 'key_hint', 'team', 'settings', 'created_at', 'updated_at', 'revoked_at'] as const;

export function rowFromKey(key: VirtualKey): Record<(typeof KEY_COLUMNS)[number], unknown> {
  const { id, name, key_hash, key_hint, team, created_at, updated_at, revoked_at, ...settings } = key;
  return { id, name, key_hash, key_hint, team: team ?? null, settings: JSON.stringify(settings), created_at, updated_at, revoked_at };
}

export function keyFromRow(row: Record<string, unknown>): VirtualKey {
  const settings = typeof row.settings === 'string' ? JSON.parse(row.settings) : row.settings;
  return {
    ...settings,
    id: String(row.id),
    name: String(row.name),
    key_hash: String(row.key_hash),
    key_hint: String(row.key_hint),
    team: (row.team as string | null) ?? null,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    revoked_at: row.revoked_at === null || row.revoked_at === undefined ? null : Number(row.revoked_at),
  };
}
