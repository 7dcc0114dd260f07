/**
 * Reading `storage.url`, the one setting every store opens from: `postgres://…` (or
 * `postgresql://…`), `sqlite://path` (relative to the working directory), or an in-memory
 * SQLite database (`sqlite::memory:`, `sqlite://:memory:`).
 */

export function isPostgresUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://');
}

/** The file a SQLite URL names, or `:memory:`. */
export function sqlitePathOf(url: string): string {
  return url === 'sqlite::memory:' || url === 'sqlite://:memory:' ? ':memory:' : url.slice('sqlite://'.length);
}
