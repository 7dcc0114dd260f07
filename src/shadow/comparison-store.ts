/**
 * Comparisons, and the feedback recorded against requests, in the gateway's database (the
 * SQLite file or the PostgreSQL database of `storage.url`, beside the request log), written
 * once by the shadow stage and labelled later by the judge, reviewers and callers. The queries
 * are written once over `SqlDatabase` (`?` placeholders, numbered for PostgreSQL).
 */
import { isPostgresUrl, sqlitePathOf } from '../storage/storage-url.js';
import { randomBytes } from 'node:crypto';
import { PostgresDatabase, SqliteDatabase, type Row, type SqlDatabase } from '../batch/store/sql-database.js';
import type { Comparison, Judgement, ReviewVerdict } from './comparison.js';

function schemaFor(dialect: 'sqlite' | 'postgres'): string {
  const integer = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
  const real = dialect === 'sqlite' ? 'REAL' : 'DOUBLE PRECISION';
  return `
CREATE TABLE IF NOT EXISTS comparisons (
  id TEXT PRIMARY KEY, created_at ${integer} NOT NULL, request_id TEXT NOT NULL, route TEXT NOT NULL, key_id TEXT,
  served TEXT NOT NULL, prompt TEXT NOT NULL,
  weak_model TEXT NOT NULL, weak_answer TEXT NOT NULL, weak_latency_ms ${real} NOT NULL, weak_cost_usd ${real} NOT NULL,
  weak_prompt_tokens ${integer} NOT NULL, weak_completion_tokens ${integer} NOT NULL,
  strong_model TEXT NOT NULL, strong_answer TEXT NOT NULL, strong_latency_ms ${real} NOT NULL, strong_cost_usd ${real} NOT NULL,
  strong_prompt_tokens ${integer} NOT NULL, strong_completion_tokens ${integer} NOT NULL,
  shadow_cost_usd ${real} NOT NULL, diff TEXT NOT NULL,
  judge_label ${real}, judge_model TEXT, judge_prompt_version TEXT, judge_verdicts TEXT, judge_calls ${integer},
  judge_cost_usd ${real}, judged_at ${integer},
  review_status TEXT, review_verdict TEXT, review_note TEXT, reviewed_at ${integer}
);
CREATE INDEX IF NOT EXISTS comparisons_route_created ON comparisons (route, created_at);
CREATE INDEX IF NOT EXISTS comparisons_request ON comparisons (request_id);
CREATE INDEX IF NOT EXISTS comparisons_review ON comparisons (review_status, created_at);
CREATE TABLE IF NOT EXISTS request_feedback (
  id TEXT PRIMARY KEY, request_id TEXT NOT NULL, key_id TEXT, metric TEXT NOT NULL, value ${real} NOT NULL, created_at ${integer} NOT NULL
);
CREATE INDEX IF NOT EXISTS request_feedback_request ON request_feedback (request_id);
CREATE TABLE IF NOT EXISTS learning_calls (
  id TEXT PRIMARY KEY, at ${integer} NOT NULL, kind TEXT NOT NULL, route TEXT NOT NULL, request_id TEXT, comparison_id TEXT,
  model TEXT NOT NULL, prompt_tokens ${integer} NOT NULL, completion_tokens ${integer} NOT NULL, cost_usd ${real} NOT NULL,
  latency_ms ${real} NOT NULL, error TEXT
);
CREATE INDEX IF NOT EXISTS learning_calls_at ON learning_calls (at);`;
}

export interface ComparisonQuery {
  route?: string;
  /** Newest first, at most this many. */
  limit: number;
  /** Only comparisons created at or after this time (ms since epoch). */
  since?: number;
  /** Only comparisons with a judge's or a person's label. */
  labelled?: boolean;
}

export interface FeedbackEntry {
  id: string;
  request_id: string;
  key_id: string | null;
  metric: string;
  value: number;
  created_at: number;
}

/** A time-ordered id for a logged shadow or judge call. */
export function newCallId(): string {
  return `call_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

/** One shadow or judge call: the gateway's own spending, logged whether or not it gave an answer. */
export interface LearningCall {
  id: string;
  at: number;
  kind: 'shadow' | 'judge';
  route: string;
  request_id: string | null;
  comparison_id: string | null;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  latency_ms: number;
  /** Why the call gave no usable answer (a failure, a cancel, an unreadable verdict); null when it did. */
  error: string | null;
}

/** What shadow and judge calls cost in a window, per route: reported apart from callers' spend. */
export interface LearningSpendRow {
  route: string;
  shadow_calls: number;
  shadow_cost_usd: number;
  judge_calls: number;
  judge_cost_usd: number;
}

const COLUMNS = [
  'id', 'created_at', 'request_id', 'route', 'key_id', 'served', 'prompt',
  'weak_model', 'weak_answer', 'weak_latency_ms', 'weak_cost_usd', 'weak_prompt_tokens', 'weak_completion_tokens',
  'strong_model', 'strong_answer', 'strong_latency_ms', 'strong_cost_usd', 'strong_prompt_tokens', 'strong_completion_tokens',
  'shadow_cost_usd', 'diff',
] as const;

export class ComparisonStore {
  private constructor(private readonly database: SqlDatabase) {}

  static async open(storageUrl: string): Promise<ComparisonStore> {
    if (isPostgresUrl(storageUrl)) {
      return new ComparisonStore(await PostgresDatabase.open(storageUrl, schemaFor('postgres')));
    }
    return new ComparisonStore(new SqliteDatabase(sqlitePathOf(storageUrl), schemaFor('sqlite')));
  }

  async insert(comparison: Comparison): Promise<void> {
    const { weak, strong } = comparison;
    const values = [
      comparison.id, comparison.created_at, comparison.request_id, comparison.route, comparison.key_id, comparison.served, comparison.prompt,
      weak.model, weak.answer, weak.latency_ms, weak.cost_usd, weak.prompt_tokens, weak.completion_tokens,
      strong.model, strong.answer, strong.latency_ms, strong.cost_usd, strong.prompt_tokens, strong.completion_tokens,
      comparison.shadow_cost_usd, JSON.stringify(comparison.diff),
    ];
    await this.database.run(`INSERT INTO comparisons (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`, values);
  }

  async get(id: string): Promise<Comparison | undefined> {
    const rows = await this.database.all('SELECT * FROM comparisons WHERE id = ?', [id]);
    return rows[0] ? comparisonFromRow(rows[0]) : undefined;
  }

  async list(query: ComparisonQuery): Promise<Comparison[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (query.route !== undefined) (conditions.push('route = ?'), params.push(query.route));
    if (query.since !== undefined) (conditions.push('created_at >= ?'), params.push(query.since));
    if (query.labelled) conditions.push('(judge_label IS NOT NULL OR review_verdict IS NOT NULL)');
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.database.all(`SELECT * FROM comparisons ${where} ORDER BY created_at DESC, id DESC LIMIT ?`, [...params, query.limit]);
    return rows.map(comparisonFromRow);
  }

  /** Stores the judge's label; `queueReview` also puts the comparison in the human review queue. */
  async recordJudgement(id: string, judgement: Judgement, queueReview: boolean): Promise<void> {
    await this.database.run(
      `UPDATE comparisons SET judge_label = ?, judge_model = ?, judge_prompt_version = ?, judge_verdicts = ?, judge_calls = ?, judge_cost_usd = ?, judged_at = ?,
         review_status = CASE WHEN ? AND review_status IS NULL THEN 'pending' ELSE review_status END
       WHERE id = ?`,
      [judgement.label, judgement.model, judgement.prompt_version, JSON.stringify(judgement.verdicts), judgement.calls, judgement.cost_usd, judgement.at, queueReview, id],
    );
  }

  /** Records a person's verdict; returns the comparison before and after, or undefined when there is none with that id. */
  async recordReview(id: string, verdict: ReviewVerdict, note: string | null, at: number): Promise<{ before: Comparison; after: Comparison } | undefined> {
    const before = await this.get(id);
    if (!before) return undefined;
    await this.database.run("UPDATE comparisons SET review_status = 'reviewed', review_verdict = ?, review_note = ?, reviewed_at = ? WHERE id = ?", [verdict, note, at, id]);
    return { before, after: (await this.get(id))! };
  }

  /** The review queue, oldest first (the order a reviewer works through it). */
  async reviews(status: 'pending' | 'reviewed', limit: number, route?: string): Promise<Comparison[]> {
    const rows = await this.database.all(
      `SELECT * FROM comparisons WHERE review_status = ? ${route !== undefined ? 'AND route = ?' : ''} ORDER BY created_at ${status === 'pending' ? 'ASC' : 'DESC'}, id LIMIT ?`,
      route !== undefined ? [status, route, limit] : [status, limit],
    );
    return rows.map(comparisonFromRow);
  }

  async insertCall(call: LearningCall): Promise<void> {
    await this.database.run(
      'INSERT INTO learning_calls (id, at, kind, route, request_id, comparison_id, model, prompt_tokens, completion_tokens, cost_usd, latency_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [call.id, call.at, call.kind, call.route, call.request_id, call.comparison_id, call.model, call.prompt_tokens, call.completion_tokens, call.cost_usd, call.latency_ms, call.error],
    );
  }

  /** Shadow and judge calls per route in [from, to), from the call log (failed calls included). */
  async learningSpend(from = 0, to = Number.MAX_SAFE_INTEGER): Promise<LearningSpendRow[]> {
    const rows = await this.database.all(
      `SELECT route, SUM(CASE WHEN kind = 'shadow' THEN 1 ELSE 0 END) AS shadow_calls, SUM(CASE WHEN kind = 'shadow' THEN cost_usd ELSE 0 END) AS shadow_cost_usd,
              SUM(CASE WHEN kind = 'judge' THEN 1 ELSE 0 END) AS judge_calls, SUM(CASE WHEN kind = 'judge' THEN cost_usd ELSE 0 END) AS judge_cost_usd
       FROM learning_calls WHERE at >= ? AND at < ? GROUP BY route ORDER BY route`,
      [from, to],
    );
    return rows.map((row) => ({
      route: String(row.route),
      shadow_calls: Number(row.shadow_calls),
      shadow_cost_usd: Number(row.shadow_cost_usd ?? 0),
      judge_calls: Number(row.judge_calls ?? 0),
      judge_cost_usd: Number(row.judge_cost_usd ?? 0),
    }));
  }

  async insertFeedback(entry: FeedbackEntry): Promise<void> {
    await this.database.run('INSERT INTO request_feedback (id, request_id, key_id, metric, value, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      entry.id, entry.request_id, entry.key_id, entry.metric, entry.value, entry.created_at,
    ]);
  }

  /** Feedback on any of `requestIds`, oldest first. */
  async feedbackFor(requestIds: readonly string[]): Promise<FeedbackEntry[]> {
    const entries: FeedbackEntry[] = [];
    // Bounded IN lists: SQLite allows 32,766 parameters, PostgreSQL 65,535.
    for (let start = 0; start < requestIds.length; start += 500) {
      const chunk = requestIds.slice(start, start + 500);
      if (chunk.length === 0) break;
      const rows = await this.database.all(`SELECT * FROM request_feedback WHERE request_id IN (${chunk.map(() => '?').join(', ')}) ORDER BY created_at, id`, chunk);
      entries.push(...rows.map(feedbackFromRow));
    }
    return entries;
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

function feedbackFromRow(row: Row): FeedbackEntry {
  return {
    id: String(row.id),
    request_id: String(row.request_id),
    key_id: row.key_id === null || row.key_id === undefined ? null : String(row.key_id),
    metric: String(row.metric),
    value: Number(row.value),
    created_at: Number(row.created_at),
  };
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function comparisonFromRow(row: Row): Comparison {
  const answer = (side: 'weak' | 'strong') => ({
    model: String(row[`${side}_model`]),
    answer: String(row[`${side}_answer`]),
    latency_ms: Number(row[`${side}_latency_ms`]),
    cost_usd: Number(row[`${side}_cost_usd`]),
    prompt_tokens: Number(row[`${side}_prompt_tokens`]),
    completion_tokens: Number(row[`${side}_completion_tokens`]),
  });
  const judgeLabel = nullableNumber(row.judge_label);
  return {
    id: String(row.id),
    created_at: Number(row.created_at),
    request_id: String(row.request_id),
    route: String(row.route),
    key_id: row.key_id === null || row.key_id === undefined ? null : String(row.key_id),
    served: row.served === 'strong' ? 'strong' : 'weak',
    prompt: String(row.prompt),
    weak: answer('weak'),
    strong: answer('strong'),
    shadow_cost_usd: Number(row.shadow_cost_usd),
    diff: JSON.parse(String(row.diff)),
    judgement:
      judgeLabel === null
        ? null
        : {
            label: judgeLabel,
            model: String(row.judge_model),
            prompt_version: String(row.judge_prompt_version),
            verdicts: JSON.parse(String(row.judge_verdicts ?? '[]')) as string[],
            calls: Number(row.judge_calls ?? 0),
            cost_usd: Number(row.judge_cost_usd ?? 0),
            at: Number(row.judged_at),
          },
    review:
      row.review_status === null || row.review_status === undefined
        ? null
        : {
            status: row.review_status === 'reviewed' ? 'reviewed' : 'pending',
            verdict: (row.review_verdict as ReviewVerdict | null) ?? null,
            note: row.review_note === null || row.review_note === undefined ? null : String(row.review_note),
            at: nullableNumber(row.reviewed_at),
          },
  };
}
