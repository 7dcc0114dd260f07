/**
 * `POST /v1/batches`: validates the input file line by line, plans where each line runs, holds
 * the batch's estimated cost on the caller's budgets, and stores the job, all before any line
 * runs. A file with bad lines gives a batch that is `failed` at once, its `errors` naming each
 * line, as OpenAI's validation does; a batch that cannot fit its budget is refused with 429
 * `budget_exceeded` and nothing is stored.
 */
import type { ChatCompletionRequest } from '../protocol/chat-types.js';
import { z } from 'zod';
import { loadTokenizer } from '../cost/token-counter.js';
import { GatewayError, InvalidRequestError, NotFoundError } from '../errors/index.js';
import type { Principal } from '../governance/keys/authenticate.js';
import type { Gateway } from '../server/gateway.js';
import type { BatchEndpoint } from '../providers/batch-api.js';
import { COMPLETION_WINDOW, COMPLETION_WINDOW_MS } from './batch-config.js';
import { newBatchId } from './batch-objects.js';
import { BATCH_ENDPOINTS, parseInputLines, type InputLine } from './input-lines.js';
import { planLine, type PlannedGroup, type PlannedLine } from './line-plan.js';
import type { BatchJob, LineError, Viewer } from './store/batch-records.js';
import type { BatchStore } from './store/batch-store.js';

/** The hold outlives the completion window a little, so a batch finishing at its deadline still settles against it. */
const HOLD_GRACE_MS = 3_600_000;

const createBatchSchema = z.object({
  input_file_id: z.string().min(1),
  endpoint: z.string(),
  completion_window: z.string(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
});

export function viewerOf(principal: Principal): Viewer {
  if (principal.kind === 'admin') return { kind: 'all' };
  return { kind: 'owner', keyId: principal.kind === 'virtual-key' ? principal.key.id : null };
}

export async function createBatch(gateway: Gateway, store: BatchStore, principal: Principal, body: unknown): Promise<BatchJob> {
  const params = parseParams(body);
  const viewer = viewerOf(principal);
  const file = await store.getFile(params.input_file_id, viewer);
  if (!file) throw new NotFoundError(`No file with id '${params.input_file_id}'. Upload it first with POST /v1/files (purpose: batch).`);
  if (file.purpose !== 'batch') throw new InvalidRequestError(`The file '${file.id}' has purpose '${file.purpose}'; a batch's input file needs purpose 'batch'.`, 'input_file_id', 'invalid_value');
  const content = (await store.fileContent(file.id, viewer))!;
  const now = Date.now();
  const job: BatchJob = {
    id: newBatchId(),
    ownerKeyId: principal.kind === 'virtual-key' ? principal.key.id : null,
    endpoint: params.endpoint,
    inputFileId: file.id,
    completionWindow: COMPLETION_WINDOW,
    metadata: params.metadata ?? null,
    status: 'validating',
    createdAt: now,
    expiresAt: now + COMPLETION_WINDOW_MS,
    inProgressAt: null, finalizingAt: null, completedAt: null, failedAt: null, expiredAt: null, cancellingAt: null, cancelledAt: null,
    errors: null,
    total: 0, completed: 0, failed: 0,
    outputFileId: null, errorFileId: null, hold: null,
    promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0, costUsd: 0,
  };

  const parsed = parseInputLines(content, params.endpoint, gateway.config.batch.max_lines);
  const planned = parsed.ok ? await plan(gateway, principal, parsed.lines) : { errors: parsed.errors, lines: [], groups: [] };
  if (planned.errors.length > 0) {
    const failed: BatchJob = { ...job, status: 'failed', failedAt: now, errors: planned.errors };
    await store.createBatch({ job: failed, lines: [], groups: [] });
    return failed;
  }

  const total = planned.lines.reduce((sum, line) => ({ nanoUsd: sum.nanoUsd + line.reserved.nanoUsd, tokens: sum.tokens + line.reserved.tokens }), { nanoUsd: 0, tokens: 0 });
  const hold = await gateway.governance.reserveBatch(principal, total, COMPLETION_WINDOW_MS + HOLD_GRACE_MS, planned.lines.length);
  const started: BatchJob = { ...job, status: 'in_progress', inProgressAt: now, total: planned.lines.length, hold };
  try {
    await store.createBatch({
      job: started,
      lines: planned.lines.map((line) => ({
        batchId: job.id,
        lineNumber: line.lineNumber,
        customId: line.customId,
        url: line.url,
        body: JSON.stringify(line.request),
        group: line.group,
        state: 'pending',
        reservedNano: line.reserved.nanoUsd,
        reservedTokens: line.reserved.tokens,
        succeeded: null,
        output: null,
      })),
      groups: planned.groups.map((group) => ({ ...group, batchId: job.id, state: 'pending', upstreamId: null, upstreamFileId: null, lastError: null, attempts: 0 })),
    });
  } catch (error) {
    if (hold) await gateway.governance.releaseBatchHold(hold).catch(() => {});
    throw error;
  }
  return started;
}

async function plan(gateway: Gateway, principal: Principal, lines: readonly InputLine[]) {
  // Estimates count prompt tokens with the real tokenizer, as admission does.
  await loadTokenizer();
  const { guardrails } = gateway.pipelines;
  const services = {
    registry: gateway.registry,
    routes: gateway.routes,
    native: gateway.config.batch.native,
    defaultMaxOutputTokens: gateway.config.governance.default_max_output_tokens,
    guarded: (request: ChatCompletionRequest) => guardrails.applies(request, principal),
    extraSteps: (request: ChatCompletionRequest) => guardrails.extraSteps(request),
  };
  const allowed = principal.kind === 'virtual-key' ? principal.key.models : null;
  const errors: LineError[] = [];
  const plannedLines: PlannedLine[] = [];
  const groups = new Map<string, PlannedGroup>();
  for (const line of lines) {
    if (allowed && !allowed.includes(line.request.model)) {
      errors.push({ code: 'model_not_allowed', message: `This key may not use '${line.request.model}'. It may use: ${allowed.join(', ')}.`, param: 'body.model', line: line.lineNumber });
      continue;
    }
    try {
      const planned = planLine(services, line);
      plannedLines.push(planned.line);
      groups.set(planned.group.key, planned.group);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      errors.push({ code: error.code ?? 'invalid_request', message: error.message, param: 'body.model', line: line.lineNumber });
    }
  }
  return { errors: errors.slice(0, 100), lines: plannedLines, groups: [...groups.values()] };
}

function parseParams(body: unknown): { input_file_id: string; endpoint: BatchEndpoint; metadata?: Record<string, string> | null } {
  const result = createBatchSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const param = issue.path.join('.') || null;
    throw new InvalidRequestError(param ? `Invalid value for '${param}': ${issue.message}` : issue.message, param, issue.input === undefined ? 'missing_required_parameter' : 'invalid_value');
  }
  const params = result.data;
  if (!BATCH_ENDPOINTS.includes(params.endpoint as BatchEndpoint)) {
    throw new InvalidRequestError(`endpoint must be one of ${BATCH_ENDPOINTS.join(', ')}; this gateway batches chat completions and embeddings.`, 'endpoint', 'invalid_value');
  }
  if (params.completion_window !== COMPLETION_WINDOW) throw new InvalidRequestError(`completion_window must be '${COMPLETION_WINDOW}'.`, 'completion_window', 'invalid_value');
  if (params.metadata && Object.keys(params.metadata).length > 16) throw new InvalidRequestError('metadata may have at most 16 keys.', 'metadata', 'invalid_value');
  return { input_file_id: params.input_file_id, endpoint: params.endpoint as BatchEndpoint, metadata: params.metadata };
}
