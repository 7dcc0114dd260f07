/**
 * Drives batches to their end, on whichever instance holds their lease (store/batch-store.ts):
 *
 *   in_progress → each group runs: a native group is submitted to its provider's batch API and
 *                 polled until it ends, then its answers are recorded; a paced group's lines run
 *                 through the pipeline, paced (pacer.ts)
 *   finalizing  → output and error files are written, the log rows are written again (a crash
 *                 may have lost the last ones; the log upserts by id), what is left of the
 *                 budget hold is released
 *   completed / cancelled / expired
 *
 * Every instance scans for batches whose lease is free or lapsed, so a batch survives the
 * instance running it: a restarted gateway (or another one on the same PostgreSQL) takes it up
 * where it stopped. Lines already answered are never sent again; a line that was in flight when
 * its instance died had no recorded answer and is sent again. A native group that was submitted
 * is polled again, not resubmitted.
 *
 * Shutdown stops taking new lines and submissions, lets the lines in flight finish within the
 * drain timeout, and gives the leases back so another instance can continue at once.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { toGatewayError } from '../server/error-response.js';
import type { Principal } from '../governance/keys/authenticate.js';
import type { BatchApi, BatchCallOptions, BatchEndpoint, NativeBatchRequest } from '../providers/batch-api.js';
import { createBatchApi } from '../providers/create-provider.js';
import type { Gateway } from '../server/gateway.js';
import { recordFromRow } from '../storage/record-columns.js';
import { newFileId } from './batch-objects.js';
import { recordNativeResult, recordUnanswered } from './native-results.js';
import { runPacedLine } from './paced-line.js';
import { Pacer } from './pacer.js';
import type { BatchGroup, BatchJob, BatchLine, BatchStatus } from './store/batch-records.js';
import type { BatchStore } from './store/batch-store.js';

/** Submitting a group is tried this many times (one poll interval apart) before its lines fail. */
const MAX_SUBMIT_ATTEMPTS = 5;
/** How often a running batch checks its lease and whether it was cancelled. */
const WATCH_INTERVAL_MS = 1000;
const ALL = { kind: 'all' } as const;

/** What one batch's run watches: its lease, cancellation, shutdown. */
class BatchWatch {
  lost = false;
  cancelling = false;
  private readonly timer: NodeJS.Timeout;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly runner: BatchRunner, private readonly store: BatchStore, readonly batchId: string, private readonly owner: string, private readonly leaseMs: number) {
    this.timer = setInterval(() => void this.check(), Math.min(WATCH_INTERVAL_MS, Math.floor(leaseMs / 3)));
    this.timer.unref();
  }

  /** Work on the batch should stop: lease lost, or the instance is shutting down. */
  get stopped(): boolean {
    return this.lost || this.runner.stopping;
  }

  /** Sleeps up to `ms`, waking early when the batch is cancelled or work must stop. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  wake(): void {
    for (const waker of [...this.wakers]) waker();
  }

  stop(): void {
    clearInterval(this.timer);
    this.wake();
  }

  private async check(): Promise<void> {
    try {
      if (!(await this.store.renew(this.batchId, this.owner, this.leaseMs))) this.lost = true;
      const job = await this.store.getBatch(this.batchId, ALL);
      if (job?.status === 'cancelling') this.cancelling = true;
    } catch {
      // A database hiccup: the lease is renewed on the next check, well before it lapses.
    }
    if (this.lost || this.cancelling || this.runner.stopping) this.wake();
  }
}

export class BatchRunner {
  stopping = false;
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, Promise<void>>();
  private readonly watches = new Set<BatchWatch>();
  private readonly restoredHolds = new Set<string>();
  private scanTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private readonly pacer: Pacer;

  constructor(private readonly gateway: Gateway, private readonly store: BatchStore) {
    this.pacer = new Pacer(gateway.config.batch.concurrency, gateway.config.batch.rpm);
  }

  private get config() {
    return this.gateway.config.batch;
  }

  start(): void {
    this.scanTimer = setInterval(() => void this.scan(), this.config.scan_interval_ms);
    this.scanTimer.unref();
    void this.scan();
  }

  /** Starts a batch just created on this instance at once, rather than at the next scan. */
  async wake(batchId: string): Promise<void> {
    if (this.stopping || this.running.has(batchId)) return;
    if (!(await this.store.claimById(batchId, this.owner, this.config.lease_ms))) return;
    const job = await this.store.getBatch(batchId, ALL);
    if (job) this.launch(job);
  }

  /** Stops taking new work, waits for lines in flight until `deadline` (ms since the epoch), gives leases back. */
  async close(deadline: number): Promise<void> {
    this.stopping = true;
    if (this.scanTimer) clearInterval(this.scanTimer);
    for (const watch of this.watches) watch.wake();
    await this.scanning?.catch(() => {});
    const all = Promise.allSettled([...this.running.values()]);
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref())]);
  }

  private scan(): Promise<void> {
    if (this.stopping || this.scanning) return this.scanning ?? Promise.resolve();
    this.scanning = (async () => {
      try {
        while (!this.stopping) {
          const job = await this.store.claim(this.owner, this.config.lease_ms);
          if (!job) break;
          if (this.running.has(job.id)) continue;
          this.launch(job);
        }
      } catch (error) {
        this.gateway.logger.error({ err: error }, 'looking for batches to run failed');
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  private launch(job: BatchJob): void {
    const watch = new BatchWatch(this, this.store, job.id, this.owner, this.config.lease_ms);
    this.watches.add(watch);
    const run = this.drive(job, watch)
      .catch((error) => this.gateway.logger.error({ err: error, batchId: job.id }, 'a batch run failed; it will be taken up again'))
      .finally(async () => {
        watch.stop();
        this.watches.delete(watch);
        this.running.delete(job.id);
        await this.store.release(job.id, this.owner).catch(() => {});
      });
    this.running.set(job.id, run);
  }

  private async drive(claimed: BatchJob, watch: BatchWatch): Promise<void> {
    const principal = await this.principalOf(claimed);
    await this.restoreHold(claimed);
    const job = (await this.store.getBatch(claimed.id, ALL)) ?? claimed;
    if (job.status === 'cancelling') watch.cancelling = true;
    if (job.status === 'finalizing') return this.finish(job, 'completed', principal, watch);
    if (job.status !== 'in_progress' && job.status !== 'cancelling') return;

    const groups = await this.store.groups(job.id);
    await Promise.all(groups.filter((group) => group.state !== 'done').map((group) => (group.kind === 'native' ? this.runNative(job, group, principal, watch) : this.runPaced(job, group, principal, watch))));
    if (watch.stopped) return;
    if (watch.cancelling) return this.finish(job, 'cancelled', principal, watch);
    if (Date.now() >= job.expiresAt) return this.finish(job, 'expired', principal, watch);
    const left = await this.store.lines(job.id, { states: ['pending', 'running', 'submitted'] });
    if (left.length === 0) await this.finish(job, 'completed', principal, watch);
  }

  // ---- paced groups ----

  private async runPaced(job: BatchJob, group: BatchGroup, principal: Principal, watch: BatchWatch): Promise<void> {
    for (;;) {
      const lines = await this.store.lines(job.id, { group: group.key, states: ['pending', 'running'] });
      if (lines.length === 0) break;
      let waitMs = 0;
      const inFlight = new Set<Promise<void>>();
      for (const line of lines) {
        if (watch.stopped || watch.cancelling || Date.now() >= job.expiresAt) break;
        const release = await this.pacer.acquire();
        if (watch.stopped || watch.cancelling) {
          release();
          break;
        }
        const running = runPacedLine(this.gateway, this.store, job, line, principal)
          .then((result) => {
            if (result.kind === 'rate-limited') waitMs = Math.max(waitMs, result.retryAfterMs);
          })
          .catch((error) => this.gateway.logger.error({ err: error, batchId: job.id, line: line.lineNumber }, 'recording a batch line failed'))
          .finally(() => {
            release();
            inFlight.delete(running);
          });
        inFlight.add(running);
      }
      await Promise.all(inFlight);
      if (watch.stopped || watch.cancelling || Date.now() >= job.expiresAt) return;
      if (waitMs > 0) await watch.sleep(waitMs);
    }
    await this.store.updateGroup(job.id, group.key, { state: 'done' });
  }

  // ---- native groups ----

  private async runNative(job: BatchJob, group: BatchGroup, principal: Principal, watch: BatchWatch): Promise<void> {
    const model = this.gateway.registry.get(group.model);
    const deployment = model?.deployments.find((candidate) => candidate.id === group.deploymentId);
    const api = deployment ? createBatchApi(deployment.info) : undefined;
    const lines = await this.store.lines(job.id, { group: group.key, states: ['pending', 'running', 'submitted'] });
    if (!model || !deployment || !api) {
      // The config changed since the batch was created: the model or its deployment is gone.
      for (const line of lines) await recordUnanswered(this.gateway, this.store, { job, principal }, line, 'model_not_found', `The model '${group.model}' or its deployment is no longer configured.`, 404);
      await this.store.updateGroup(job.id, group.key, { state: 'done' });
      return;
    }
    if (lines.length === 0) {
      await this.store.updateGroup(job.id, group.key, { state: 'done' });
      return;
    }
    const options: BatchCallOptions = { timeouts: this.timeouts(), label: job.id };
    let current = group;
    while (current.state !== 'submitted') {
      if (watch.stopped) return;
      if (watch.cancelling || Date.now() >= job.expiresAt) return this.closeUnsubmitted(job, current, lines, principal, watch.cancelling);
      current = await this.submit(job, current, api, lines, options);
      if (current.state === 'done') return;
      if (current.state !== 'submitted') await watch.sleep(this.config.poll_interval_ms);
    }
    let cancelSent = false;
    for (;;) {
      if (watch.stopped) return;
      if ((watch.cancelling || Date.now() >= job.expiresAt) && !cancelSent) {
        cancelSent = true;
        await api.cancel(current.upstreamId!, options).catch((error) => this.gateway.logger.warn({ err: error, batchId: job.id }, 'cancelling a provider batch failed'));
      }
      try {
        if ((await api.status(current.upstreamId!, options)) === 'ended') break;
      } catch (error) {
        await this.store.updateGroup(job.id, group.key, { lastError: toGatewayError(error).message.slice(0, 500) });
      }
      await watch.sleep(this.config.poll_interval_ms);
    }
    const requests = new Map(lines.map((line) => [line.customId, JSON.parse(line.body) as NativeBatchRequest['request']]));
    const results = await api.results(current.upstreamId!, options, requests);
    const byCustomId = new Map(lines.map((line) => [line.customId, line]));
    const context = { job, principal, modelName: model.name, deployment, routes: this.gateway.routes };
    for (const result of results) {
      const line = byCustomId.get(result.customId);
      if (!line) continue;
      byCustomId.delete(result.customId);
      await recordNativeResult(this.gateway, this.store, context, line, result);
    }
    const code = watch.cancelling ? 'batch_cancelled' : 'batch_expired';
    const message = watch.cancelling ? 'The batch was cancelled before this request ran.' : 'This request could not be executed before the completion window expired.';
    for (const line of byCustomId.values()) await recordUnanswered(this.gateway, this.store, { job, principal }, line, code, message);
    await this.store.updateGroup(job.id, group.key, { state: 'done' });
  }

  private async submit(job: BatchJob, group: BatchGroup, api: BatchApi, lines: readonly BatchLine[], options: BatchCallOptions): Promise<BatchGroup> {
    const attempts = group.attempts + 1;
    await this.store.updateGroup(job.id, group.key, { state: 'submitting', attempts });
    try {
      const requests = lines.map((line) => ({ customId: line.customId, request: JSON.parse(line.body) as NativeBatchRequest['request'] }));
      const submitted = await api.submit(job.endpoint as BatchEndpoint, requests, options);
      // Recorded at once: from here on the group is polled, never submitted again.
      await this.store.updateGroup(job.id, group.key, { state: 'submitted', upstreamId: submitted.id, upstreamFileId: submitted.fileId ?? null, lastError: null });
      await this.store.setLineState(job.id, lines.map((line) => line.lineNumber), 'submitted');
      return { ...group, state: 'submitted', upstreamId: submitted.id, upstreamFileId: submitted.fileId ?? null, attempts };
    } catch (error) {
      const failure = toGatewayError(error);
      this.gateway.logger.warn({ err: error, batchId: job.id, group: group.key, attempts }, 'submitting a provider batch failed');
      await this.store.updateGroup(job.id, group.key, { state: 'pending', lastError: failure.message.slice(0, 500) });
      if (attempts < MAX_SUBMIT_ATTEMPTS && (failure.isRetryable || failure.status >= 500)) return { ...group, state: 'pending', attempts };
      const principal = await this.principalOf(job);
      for (const line of lines) await recordUnanswered(this.gateway, this.store, { job, principal }, line, failure.code ?? 'batch_submit_failed', `The provider's batch API refused the batch: ${failure.message}`, failure.status);
      await this.store.updateGroup(job.id, group.key, { state: 'done' });
      return { ...group, state: 'done', attempts };
    }
  }

  private async closeUnsubmitted(job: BatchJob, group: BatchGroup, lines: readonly BatchLine[], principal: Principal, cancelled: boolean): Promise<void> {
    const code = cancelled ? 'batch_cancelled' : 'batch_expired';
    const message = cancelled ? 'The batch was cancelled before this request ran.' : 'This request could not be executed before the completion window expired.';
    for (const line of lines) await recordUnanswered(this.gateway, this.store, { job, principal }, line, code, message);
    await this.store.updateGroup(job.id, group.key, { state: 'done' });
  }

  // ---- the end ----

  private async finish(job: BatchJob, status: Extract<BatchStatus, 'completed' | 'cancelled' | 'expired'>, principal: Principal, watch: BatchWatch): Promise<void> {
    if (watch.stopped) return;
    const now = Date.now();
    if (status === 'completed') await this.store.updateBatch(job.id, { status: 'finalizing', finalizingAt: now }, this.owner);
    // Lines never run (cancelled or expired paced lines) are answered as such.
    const code = status === 'cancelled' ? 'batch_cancelled' : 'batch_expired';
    const message = status === 'cancelled' ? 'The batch was cancelled before this request ran.' : 'This request could not be executed before the completion window expired.';
    for (const line of await this.store.lines(job.id, { states: ['pending', 'running', 'submitted'] })) await recordUnanswered(this.gateway, this.store, { job, principal }, line, code, message);

    const outputs = await this.store.outputs(job.id);
    const outputFileId = await this.writeFile(job, 'output', outputs.filter((line) => line.succeeded));
    const errorFileId = await this.writeFile(job, 'error', outputs.filter((line) => !line.succeeded));
    // The log may have lost its last rows to a crash; rows are upserted by id, so writing them again counts each once.
    await this.gateway.logWriter.flush();
    const records = (await this.store.records(job.id)).map((text) => recordFromRow(JSON.parse(text) as Record<string, unknown>));
    for (let start = 0; start < records.length; start += 500) await this.gateway.store.insertMany(records.slice(start, start + 500));
    if (job.hold) await this.gateway.governance.releaseBatchHold(job.hold);
    const ended = { completed: { completedAt: now }, cancelled: { cancelledAt: now }, expired: { expiredAt: now } }[status];
    await this.store.updateBatch(job.id, { status, ...ended, outputFileId, errorFileId }, this.owner);
  }

  private async writeFile(job: BatchJob, kind: 'output' | 'error', lines: ReadonlyArray<{ output: string }>): Promise<string | null> {
    if (lines.length === 0) return null;
    const content = Buffer.from(`${lines.map((line) => line.output).join('\n')}\n`);
    const id = newFileId();
    await this.store.insertFile({ id, ownerKeyId: job.ownerKeyId, purpose: 'batch_output', filename: `${job.id}_${kind}.jsonl`, bytes: content.length, createdAt: Date.now() }, content);
    return id;
  }

  // ---- shared ----

  private async principalOf(job: BatchJob): Promise<Principal> {
    if (!job.ownerKeyId) return { kind: 'anonymous' };
    const key = await this.gateway.governance.keys.get(job.ownerKeyId);
    return key ? { kind: 'virtual-key', key } : { kind: 'anonymous' };
  }

  /** A batch this process has not run yet may have lost its budget hold (memory counters after a restart): put back what its unanswered lines hold. */
  private async restoreHold(job: BatchJob): Promise<void> {
    if (!job.hold || this.restoredHolds.has(job.id)) return;
    const open = await this.store.lines(job.id, { states: ['pending', 'running', 'submitted'] });
    const outstanding = open.reduce((sum, line) => ({ nanoUsd: sum.nanoUsd + line.reservedNano, tokens: sum.tokens + line.reservedTokens }), { nanoUsd: 0, tokens: 0 });
    await this.gateway.governance.restoreBatchHold(job.hold, outstanding, Math.max(60_000, job.expiresAt - Date.now() + 3_600_000));
    this.restoredHolds.add(job.id);
  }

  private timeouts() {
    const { timeouts } = this.gateway.config;
    return { connectMs: timeouts.connect_ms, firstTokenMs: timeouts.total_ms, totalMs: timeouts.total_ms };
  }
}
