/**
 * Durable batch state, in the gateway's database (the SQLite file or the PostgreSQL database of
 * `storage.url`), so a restarted gateway resumes where it stopped and several instances on one
 * PostgreSQL share the work:
 *
 * - a batch is run by one instance at a time: `claim` takes a lease (owner and expiry) on a
 *   batch whose lease is free or lapsed, `renew` keeps it, and every write that drives the batch
 *   names the owner, so an instance that lost its lease cannot write over the new owner's work;
 * - a line is answered once: `completeLine` writes its result only while it is not yet done,
 *   and adds it to the batch's counts in the same transaction; the caller settles money and
 *   logs only when it returns true.
 */
import { isPostgresUrl, sqlitePathOf } from '../../storage/storage-url.js';
import type { BatchGroup, BatchJob, BatchLine, LineResult, StoredFile, Viewer } from './batch-records.js';
import { ACTIVE_STATUSES } from './batch-records.js';
import { PostgresDatabase, SqliteDatabase, type Row, type SqlDatabase, type Statement } from './sql-database.js';

function schemaFor(dialect: 'sqlite' | 'postgres'): string {
  const integer = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const real = dialect === 'sqlite' ? 'REAL' : 'DOUBLE PRECISION';
  const blob = dialect === 'sqlite' ? 'BLOB' : 'BYTEA';
  return `
CREATE TABLE IF NOT EXISTS batch_files (
  id TEXT PRIMARY KEY, owner_key_id TEXT, purpose TEXT NOT NULL, filename TEXT NOT NULL,
  bytes ${integer} NOT NULL, created_at ${integer} NOT NULL, content ${blob} NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_jobs (
  id TEXT PRIMARY KEY, owner_key_id TEXT, endpoint TEXT NOT NULL, input_file_id TEXT NOT NULL,
  completion_window TEXT NOT NULL, metadata TEXT, status TEXT NOT NULL,
  created_at ${integer} NOT NULL, expires_at ${integer} NOT NULL,
  in_progress_at ${integer}, finalizing_at ${integer}, completed_at ${integer}, failed_at ${integer},
  expired_at ${integer}, cancelling_at ${integer}, cancelled_at ${integer},
  errors TEXT, total ${integer} NOT NULL, completed ${integer} NOT NULL, failed ${integer} NOT NULL,
  output_file_id TEXT, error_file_id TEXT, hold TEXT,
  prompt_tokens ${integer} NOT NULL, completion_tokens ${integer} NOT NULL,
  cached_tokens ${integer} NOT NULL, reasoning_tokens ${integer} NOT NULL, cost_usd ${real} NOT NULL,
  lease_owner TEXT, lease_until ${integer}
);
CREATE INDEX IF NOT EXISTS batch_jobs_status ON batch_jobs (status);
CREATE TABLE IF NOT EXISTS batch_lines (
  batch_id TEXT NOT NULL, line_number ${integer} NOT NULL, custom_id TEXT NOT NULL, url TEXT NOT NULL,
  body TEXT NOT NULL, group_key TEXT NOT NULL, state TEXT NOT NULL,
  reserved_nano ${integer} NOT NULL, reserved_tokens ${integer} NOT NULL,
  succeeded ${integer}, output TEXT, record TEXT,
  PRIMARY KEY (batch_id, line_number)
);
CREATE TABLE IF NOT EXISTS batch_groups (
  batch_id TEXT NOT NULL, group_key TEXT NOT NULL, kind TEXT NOT NULL, model TEXT NOT NULL,
  deployment_id TEXT, state TEXT NOT NULL, upstream_id TEXT, upstream_file_id TEXT,
  last_error TEXT, attempts ${integer} NOT NULL,
  PRIMARY KEY (batch_id, group_key)
);`;
}

export interface NewBatch {
  job: BatchJob;
  lines: BatchLine[];
  groups: BatchGroup[];
}

const ACTIVE_LIST = ACTIVE_STATUSES.map((status) => `'${status}'`).join(', ');

export class BatchStore {
  private constructor(private readonly database: SqlDatabase) {}

  static async open(storageUrl: string): Promise<BatchStore> {
    if (isPostgresUrl(storageUrl)) {
      return new BatchStore(await PostgresDatabase.open(storageUrl, schemaFor('postgres')));
    }
    return new BatchStore(new SqliteDatabase(sqlitePathOf(storageUrl), schemaFor('sqlite')));
  }

  // ---- files ----

  async insertFile(file: StoredFile, content: Buffer): Promise<void> {
    await this.database.run('INSERT INTO batch_files (id, owner_key_id, purpose, filename, bytes, created_at, content) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      file.id, file.ownerKeyId, file.purpose, file.filename, file.bytes, file.createdAt, content,
    ]);
  }

  async getFile(id: string, viewer: Viewer): Promise<StoredFile | undefined> {
    const rows = await this.database.all(`SELECT id, owner_key_id, purpose, filename, bytes, created_at FROM batch_files WHERE id = ? ${ownerClause(viewer)}`, [id, ...ownerParams(viewer)]);
    return rows[0] ? fileFromRow(rows[0]) : undefined;
  }

  async fileContent(id: string, viewer: Viewer): Promise<Buffer | undefined> {
    const rows = await this.database.all(`SELECT content FROM batch_files WHERE id = ? ${ownerClause(viewer)}`, [id, ...ownerParams(viewer)]);
    const content = rows[0]?.content;
    return content === undefined ? undefined : Buffer.from(content as Uint8Array);
  }

  async deleteFile(id: string, viewer: Viewer): Promise<boolean> {
    return (await this.database.run(`DELETE FROM batch_files WHERE id = ? ${ownerClause(viewer)}`, [id, ...ownerParams(viewer)])) > 0;
  }

  // ---- batches ----

  async createBatch(batch: NewBatch): Promise<void> {
    const { job } = batch;
    const statements: Statement[] = [
      {
        sql: `INSERT INTO batch_jobs (id, owner_key_id, endpoint, input_file_id, completion_window, metadata, status, created_at, expires_at,
           in_progress_at, finalizing_at, completed_at, failed_at, expired_at, cancelling_at, cancelled_at, errors, total, completed, failed,
           output_file_id, error_file_id, hold, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_usd)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        params: [
          job.id, job.ownerKeyId, job.endpoint, job.inputFileId, job.completionWindow, json(job.metadata), job.status, job.createdAt, job.expiresAt,
          job.inProgressAt, job.finalizingAt, job.completedAt, job.failedAt, job.expiredAt, job.cancellingAt, job.cancelledAt, json(job.errors),
          job.total, job.completed, job.failed, job.outputFileId, job.errorFileId, json(job.hold),
          job.promptTokens, job.completionTokens, job.cachedTokens, job.reasoningTokens, job.costUsd,
        ],
      },
      ...batch.lines.map((line) => ({
        sql: 'INSERT INTO batch_lines (batch_id, line_number, custom_id, url, body, group_key, state, reserved_nano, reserved_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        params: [line.batchId, line.lineNumber, line.customId, line.url, line.body, line.group, line.state, line.reservedNano, line.reservedTokens],
      })),
      ...batch.groups.map((group) => ({
        sql: 'INSERT INTO batch_groups (batch_id, group_key, kind, model, deployment_id, state, upstream_id, upstream_file_id, last_error, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        params: [group.batchId, group.key, group.kind, group.model, group.deploymentId, group.state, null, null, null, 0],
      })),
    ];
    await this.database.transaction(statements.map((statement) => () => statement));
  }

  async getBatch(id: string, viewer: Viewer): Promise<BatchJob | undefined> {
    const rows = await this.database.all(`SELECT * FROM batch_jobs WHERE id = ? ${ownerClause(viewer)}`, [id, ...ownerParams(viewer)]);
    return rows[0] ? jobFromRow(rows[0]) : undefined;
  }

  /** Newest first; `after` is the id of the last batch of the previous page. */
  async listBatches(viewer: Viewer, options: { after?: string; limit: number }): Promise<{ data: BatchJob[]; hasMore: boolean }> {
    const params: unknown[] = [...ownerParams(viewer)];
    let cursor = '';
    if (options.after) {
      const rows = await this.database.all('SELECT created_at FROM batch_jobs WHERE id = ?', [options.after]);
      if (rows[0]) {
        cursor = 'AND (created_at < ? OR (created_at = ? AND id < ?))';
        params.push(Number(rows[0].created_at), Number(rows[0].created_at), options.after);
      }
    }
    const rows = await this.database.all(`SELECT * FROM batch_jobs WHERE 1 = 1 ${ownerClause(viewer)} ${cursor} ORDER BY created_at DESC, id DESC LIMIT ?`, [...params, options.limit + 1]);
    return { data: rows.slice(0, options.limit).map(jobFromRow), hasMore: rows.length > options.limit };
  }

  /**
   * Takes the lease on one batch with work left whose lease is free or has lapsed, and returns
   * it. PostgreSQL skips rows another instance is claiming at the same moment; SQLite has one
   * writer, so its UPDATE is atomic as it is.
   */
  async claim(owner: string, leaseMs: number, now = Date.now()): Promise<BatchJob | undefined> {
    const lock = this.database.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    const rows = await this.database.all(
      `UPDATE batch_jobs SET lease_owner = ?, lease_until = ?
       WHERE id = (SELECT id FROM batch_jobs WHERE status IN (${ACTIVE_LIST}) AND (lease_owner IS NULL OR lease_until < ?) ORDER BY created_at LIMIT 1 ${lock})
       RETURNING *`,
      [owner, now + leaseMs, now],
    );
    return rows[0] ? jobFromRow(rows[0]) : undefined;
  }

  /** Takes the lease on a given batch (one just created here), when free. */
  async claimById(id: string, owner: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    return (await this.database.run('UPDATE batch_jobs SET lease_owner = ?, lease_until = ? WHERE id = ? AND (lease_owner IS NULL OR lease_until < ? OR lease_owner = ?)', [owner, now + leaseMs, id, now, owner])) > 0;
  }

  /** Extends the lease; false when this instance no longer holds it. */
  async renew(id: string, owner: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    return (await this.database.run('UPDATE batch_jobs SET lease_until = ? WHERE id = ? AND lease_owner = ?', [now + leaseMs, id, owner])) > 0;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.database.run('UPDATE batch_jobs SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?', [id, owner]);
  }

  /** Changes fields of a batch; with `owner`, only while that instance holds its lease. */
  async updateBatch(id: string, changes: Partial<Pick<BatchJob, JobField>>, owner?: string): Promise<boolean> {
    const entries = Object.entries(changes) as Array<[JobField, unknown]>;
    if (entries.length === 0) return true;
    const sets = entries.map(([field]) => `${JOB_COLUMNS[field]} = ?`).join(', ');
    const values = entries.map(([field, value]) => (field === 'errors' || field === 'hold' || field === 'metadata' ? json(value) : value));
    const fence = owner === undefined ? '' : 'AND lease_owner = ?';
    return (await this.database.run(`UPDATE batch_jobs SET ${sets} WHERE id = ? ${fence}`, [...values, id, ...(owner === undefined ? [] : [owner])])) > 0;
  }

  /** Moves a batch that is still running to `cancelling`; returns it as it now is. */
  async requestCancel(id: string, viewer: Viewer, now = Date.now()): Promise<BatchJob | undefined> {
    await this.database.run(`UPDATE batch_jobs SET status = 'cancelling', cancelling_at = ? WHERE id = ? AND status IN ('validating', 'in_progress') ${ownerClause(viewer)}`, [
      now, id, ...ownerParams(viewer),
    ]);
    return this.getBatch(id, viewer);
  }

  // ---- lines and groups ----

  async lines(batchId: string, filter: { group?: string; states?: readonly string[] } = {}): Promise<BatchLine[]> {
    const params: unknown[] = [batchId];
    let where = 'batch_id = ?';
    if (filter.group !== undefined) {
      where += ' AND group_key = ?';
      params.push(filter.group);
    }
    if (filter.states) {
      where += ` AND state IN (${filter.states.map(() => '?').join(', ')})`;
      params.push(...filter.states);
    }
    const rows = await this.database.all(`SELECT batch_id, line_number, custom_id, url, body, group_key, state, reserved_nano, reserved_tokens, succeeded, output FROM batch_lines WHERE ${where} ORDER BY line_number`, params);
    return rows.map(lineFromRow);
  }

  /** The output of every done line, in input order, for the output and error files. */
  async outputs(batchId: string): Promise<Array<{ succeeded: boolean; output: string }>> {
    const rows = await this.database.all("SELECT succeeded, output FROM batch_lines WHERE batch_id = ? AND state = 'done' ORDER BY line_number", [batchId]);
    return rows.map((row) => ({ succeeded: Boolean(row.succeeded), output: row.output as string }));
  }

  /** The request-log rows of the batch's done lines (written again at the end; the log upserts by id). */
  async records(batchId: string): Promise<string[]> {
    const rows = await this.database.all("SELECT record FROM batch_lines WHERE batch_id = ? AND state = 'done' AND record IS NOT NULL ORDER BY line_number", [batchId]);
    return rows.map((row) => row.record as string);
  }

  async setLineState(batchId: string, lineNumbers: readonly number[], state: 'pending' | 'running' | 'submitted'): Promise<void> {
    if (lineNumbers.length === 0) return;
    await this.database.transaction(
      lineNumbers.map((lineNumber) => () => ({ sql: "UPDATE batch_lines SET state = ? WHERE batch_id = ? AND line_number = ? AND state <> 'done'", params: [state, batchId, lineNumber] })),
    );
  }

  /**
   * Records a line's answer and adds it to the batch's counts and usage, once: false when the
   * line was already done (another instance, or a previous life of this one, answered it).
   */
  async completeLine(batchId: string, lineNumber: number, result: LineResult): Promise<boolean> {
    const [changed] = await this.database.transaction([
      () => ({
        sql: "UPDATE batch_lines SET state = 'done', succeeded = ?, output = ?, record = ? WHERE batch_id = ? AND line_number = ? AND state <> 'done'",
        params: [result.succeeded ? 1 : 0, result.output, result.record, batchId, lineNumber],
      }),
      // Counted only when the line was not already done: the same transaction decides both.
      ([lineChanged]) =>
        lineChanged === 0
          ? undefined
          : {
              sql: `UPDATE batch_jobs SET completed = completed + ?, failed = failed + ?, prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?,
                 cached_tokens = cached_tokens + ?, reasoning_tokens = reasoning_tokens + ?, cost_usd = cost_usd + ? WHERE id = ?`,
              params: [result.succeeded ? 1 : 0, result.succeeded ? 0 : 1, result.promptTokens, result.completionTokens, result.cachedTokens, result.reasoningTokens, result.costUsd, batchId],
            },
    ]);
    return changed! > 0;
  }

  async groups(batchId: string): Promise<BatchGroup[]> {
    const rows = await this.database.all('SELECT * FROM batch_groups WHERE batch_id = ? ORDER BY group_key', [batchId]);
    return rows.map(groupFromRow);
  }

  async updateGroup(batchId: string, key: string, changes: Partial<Pick<BatchGroup, 'state' | 'upstreamId' | 'upstreamFileId' | 'lastError' | 'attempts'>>): Promise<void> {
    const columns: Record<string, string> = { state: 'state', upstreamId: 'upstream_id', upstreamFileId: 'upstream_file_id', lastError: 'last_error', attempts: 'attempts' };
    const entries = Object.entries(changes);
    if (entries.length === 0) return;
    await this.database.run(`UPDATE batch_groups SET ${entries.map(([field]) => `${columns[field]} = ?`).join(', ')} WHERE batch_id = ? AND group_key = ?`, [
      ...entries.map(([, value]) => value),
      batchId,
      key,
    ]);
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

type JobField = keyof typeof JOB_COLUMNS;

const JOB_COLUMNS = {
  status: 'status',
  inProgressAt: 'in_progress_at',
  finalizingAt: 'finalizing_at',
  completedAt: 'completed_at',
  failedAt: 'failed_at',
  expiredAt: 'expired_at',
  cancellingAt: 'cancelling_at',
  cancelledAt: 'cancelled_at',
  errors: 'errors',
  outputFileId: 'output_file_id',
  errorFileId: 'error_file_id',
  hold: 'hold',
  metadata: 'metadata',
} as const;

function ownerClause(viewer: Viewer): string {
  if (viewer.kind === 'all') return '';
  return viewer.keyId === null ? 'AND owner_key_id IS NULL' : 'AND owner_key_id = ?';
}

function ownerParams(viewer: Viewer): unknown[] {
  return viewer.kind === 'owner' && viewer.keyId !== null ? [viewer.keyId] : [];
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function parsed<T>(value: unknown): T | null {
  return typeof value === 'string' ? (JSON.parse(value) as T) : null;
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function fileFromRow(row: Row): StoredFile {
  return {
    id: row.id as string,
    ownerKeyId: (row.owner_key_id as string | null) ?? null,
    purpose: row.purpose as string,
    filename: row.filename as string,
    bytes: Number(row.bytes),
    createdAt: Number(row.created_at),
  };
}

function jobFromRow(row: Row): BatchJob {
  return {
    id: row.id as string,
    ownerKeyId: (row.owner_key_id as string | null) ?? null,
    endpoint: row.endpoint as string,
    inputFileId: row.input_file_id as string,
    completionWindow: row.completion_window as string,
    metadata: parsed(row.metadata),
    status: row.status as BatchJob['status'],
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    inProgressAt: numberOrNull(row.in_progress_at),
    finalizingAt: numberOrNull(row.finalizing_at),
    completedAt: numberOrNull(row.completed_at),
    failedAt: numberOrNull(row.failed_at),
    expiredAt: numberOrNull(row.expired_at),
    cancellingAt: numberOrNull(row.cancelling_at),
    cancelledAt: numberOrNull(row.cancelled_at),
    errors: parsed(row.errors),
    total: Number(row.total),
    completed: Number(row.completed),
    failed: Number(row.failed),
    outputFileId: (row.output_file_id as string | null) ?? null,
    errorFileId: (row.error_file_id as string | null) ?? null,
    hold: parsed(row.hold),
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
    cachedTokens: Number(row.cached_tokens),
    reasoningTokens: Number(row.reasoning_tokens),
    costUsd: Number(row.cost_usd),
  };
}

function lineFromRow(row: Row): BatchLine {
  return {
    batchId: row.batch_id as string,
    lineNumber: Number(row.line_number),
    customId: row.custom_id as string,
    url: row.url as string,
    body: row.body as string,
    group: row.group_key as string,
    state: row.state as BatchLine['state'],
    reservedNano: Number(row.reserved_nano),
    reservedTokens: Number(row.reserved_tokens),
    succeeded: row.succeeded === null || row.succeeded === undefined ? null : Boolean(row.succeeded),
    output: (row.output as string | null) ?? null,
  };
}

function groupFromRow(row: Row): BatchGroup {
  return {
    batchId: row.batch_id as string,
    key: row.group_key as string,
    kind: row.kind as BatchGroup['kind'],
    model: row.model as string,
    deploymentId: (row.deployment_id as string | null) ?? null,
    state: row.state as BatchGroup['state'],
    upstreamId: (row.upstream_id as string | null) ?? null,
    upstreamFileId: (row.upstream_file_id as string | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
    attempts: Number(row.attempts),
  };
}
