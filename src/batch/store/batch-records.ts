/**
 * What the batch store keeps: uploaded and produced files, batch jobs, their lines, and the
 * groups lines are run in. Times are milliseconds since the epoch (the OpenAI objects the
 * handlers build use seconds).
 */
import type { BatchHold } from '../../governance/admission/batch-hold.js';

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

/** States in which a batch still has work for some instance to do. */
export const ACTIVE_STATUSES: readonly BatchStatus[] = ['validating', 'in_progress', 'finalizing', 'cancelling'];

export interface StoredFile {
  id: string;
  /** The virtual key that uploaded it (or whose batch produced it); null without one. */
  ownerKeyId: string | null;
  /** `batch` for uploads, `batch_output` for output and error files. */
  purpose: string;
  filename: string;
  bytes: number;
  createdAt: number;
}

/** Who is looking: the admin sees everything, anyone else what their key (or no key) owns. */
export type Viewer = { kind: 'all' } | { kind: 'owner'; keyId: string | null };

/** A line refused at validation, as OpenAI reports it in `errors.data`. */
export interface LineError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

/**
 * The budget a batch reserved at creation, so every instance can settle its lines against the
 * same hold and a restarted one can restore it (governance/admission/batch-hold.ts).
 */
export type StoredHold = BatchHold;

export interface BatchJob {
  id: string;
  ownerKeyId: string | null;
  endpoint: string;
  inputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  status: BatchStatus;
  createdAt: number;
  expiresAt: number;
  inProgressAt: number | null;
  finalizingAt: number | null;
  completedAt: number | null;
  failedAt: number | null;
  expiredAt: number | null;
  cancellingAt: number | null;
  cancelledAt: number | null;
  errors: LineError[] | null;
  total: number;
  completed: number;
  failed: number;
  outputFileId: string | null;
  errorFileId: string | null;
  hold: StoredHold | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: number;
}

export type LineState = 'pending' | 'running' | 'submitted' | 'done';

export interface BatchLine {
  batchId: string;
  /** 1-based line number in the input file. */
  lineNumber: number;
  customId: string;
  url: string;
  /** The request body, as JSON text. */
  body: string;
  /** The group it runs in (`BatchGroup.key`). */
  group: string;
  state: LineState;
  /** Its share of the batch's budget hold: nano-USD and tokens. */
  reservedNano: number;
  reservedTokens: number;
  /** Once done: whether it goes to the output or the error file, and that file's line. */
  succeeded: boolean | null;
  output: string | null;
}

export interface LineResult {
  succeeded: boolean;
  /** The output or error file line (output-lines.ts). */
  output: string;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** The request-log row, as JSON, written again when the batch ends in case the log lost it in a crash. */
  record: string;
}

export type GroupKind = 'native' | 'paced';
export type GroupState = 'pending' | 'submitting' | 'submitted' | 'done';

export interface BatchGroup {
  batchId: string;
  /** `native:<deployment id>` or `paced:<model or route>`. */
  key: string;
  kind: GroupKind;
  /** The model (or route) lines name; for a native group, the model that owns the deployment. */
  model: string;
  deploymentId: string | null;
  state: GroupState;
  /** The provider's batch id (and input file id, for OpenAI) once submitted. */
  upstreamId: string | null;
  upstreamFileId: string | null;
  /** Why the last submit or poll failed, for the logs and the next attempt. */
  lastError: string | null;
  attempts: number;
}
