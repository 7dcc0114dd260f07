/**
 * The audit log: every admin action, who did it, when, from where, and the state before and
 * after, as an append-only hash chain (audit-entry.ts). One per gateway, opened on the same
 * database as the request log.
 *
 *   await audit.record('key.update', { actor: 'admin', address: '10.0.0.7', target: key.id, before, after });
 *   await audit.list({ limit: 50, action: 'key.revoke' });
 *   await audit.verify();   // { ok: true, rows: 42 } or { ok: false, rows, broken: { id, reason } }
 *
 * `before` and `after` are any JSON values; credentials in them (fields named `api_key`,
 * `secret`, `token`, `password`, `key`…) are replaced by their SHA-256 before anything is
 * stored, so the log shows that a secret changed without holding it.
 */
import { canonicalJson, entryHash, GENESIS_HASH, hashSecrets, type AuditEntry } from './audit-entry.js';
import type { AuditQuery, AuditStore } from './audit-store.js';

export interface AuditRecordOptions {
  /** Who: `admin`, `anonymous`, `cli:<user>`. */
  actor: string;
  /** From which address. */
  address: string;
  /** What it was done to (a key id, a route name); omit when there is no single target. */
  target?: string | null;
  before?: unknown;
  after?: unknown;
  /** Defaults to now. */
  at?: number;
}

export type AuditVerification =
  | { ok: true; rows: number }
  | { ok: false; rows: number; broken: { id: number; action: string | null; reason: string } };

export class AuditLog {
  constructor(readonly store: AuditStore) {}

  record(action: string, options: AuditRecordOptions): Promise<AuditEntry> {
    return this.store.append(
      {
        at: options.at ?? Date.now(),
        actor: options.actor,
        address: options.address,
        action,
        target: options.target ?? null,
        before: options.before === undefined || options.before === null ? null : canonicalJson(hashSecrets(options.before)),
        after: options.after === undefined || options.after === null ? null : canonicalJson(hashSecrets(options.after)),
      },
      entryHash,
    );
  }

  list(query?: AuditQuery): Promise<AuditEntry[]> {
    return this.store.list(query);
  }

  /**
   * Walks the chain from the first row and names the first that does not hold: its hash does
   * not match its content (edited), or it does not follow the row before (removed or
   * reordered rows). Removing rows from the end of the chain leaves a shorter valid chain; the
   * row count is reported so it can be compared with an earlier run.
   */
  async verify(pageSize = 1000): Promise<AuditVerification> {
    let previousHash = GENESIS_HASH;
    let expectedId = 1;
    let rows = 0;
    for (let page = await this.store.range(0, pageSize); page.length > 0; page = await this.store.range(expectedId - 1, pageSize)) {
      for (const entry of page) {
        const broken = (reason: string): AuditVerification => ({ ok: false, rows, broken: { id: entry.id, action: entry.action, reason } });
        if (entry.id !== expectedId) return { ok: false, rows, broken: { id: expectedId, action: null, reason: `row ${expectedId} is missing (the next row is ${entry.id})` } };
        if (entry.previous_hash !== previousHash) return broken('it does not chain to the row before it (a row before it was changed, removed or reordered)');
        if (entryHash(entry) !== entry.hash) return broken('its content does not match its hash (the row was edited)');
        previousHash = entry.hash;
        expectedId++;
        rows++;
      }
    }
    return { ok: true, rows };
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
