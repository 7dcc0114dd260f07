/** Virtual keys in a SQLite table beside the request log (same file, its own connection). */
import Database from 'better-sqlite3';
import { KEY_COLUMNS, keyFromRow, rowFromKey, type KeyStore } from './key-store.js';
import type { VirtualKey } from './virtual-key.js';
import { openSqliteDatabase } from '../../storage/sqlite/open-sqlite-database.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS virtual_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  key_hint TEXT NOT NULL,
  team TEXT,
  settings TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  revoked_at INTEGER
);`;

export class SqliteKeyStore implements KeyStore {
  private readonly database: Database.Database;

  constructor(path: string) {
    this.database = openSqliteDatabase(path, SCHEMA);
  }

  async insert(key: VirtualKey): Promise<void> {
    this.database.prepare(`INSERT INTO virtual_keys (${KEY_COLUMNS.join(', ')}) VALUES (${KEY_COLUMNS.map((column) => `@${column}`).join(', ')})`).run(rowFromKey(key));
  }

  async findByHash(hash: string): Promise<VirtualKey | undefined> {
    const row = this.database.prepare('SELECT * FROM virtual_keys WHERE key_hash = ?').get(hash) as Record<string, unknown> | undefined;
    return row ? keyFromRow(row) : undefined;
  }

  async get(id: string): Promise<VirtualKey | undefined> {
    const row = this.database.prepare('SELECT * FROM virtual_keys WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return row ? keyFromRow(row) : undefined;
  }

  async list(options: { includeRevoked?: boolean } = {}): Promise<VirtualKey[]> {
    const where = options.includeRevoked ? '' : 'WHERE revoked_at IS NULL';
    return (this.database.prepare(`SELECT * FROM virtual_keys ${where} ORDER BY created_at, id`).all() as Array<Record<string, unknown>>).map(keyFromRow);
  }

  async replace(key: VirtualKey): Promise<void> {
    const assignments = KEY_COLUMNS.filter((column) => column !== 'id').map((column) => `${column} = @${column}`).join(', ');
    this.database.prepare(`UPDATE virtual_keys SET ${assignments} WHERE id = @id`).run(rowFromKey(key));
  }

  async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }
}
