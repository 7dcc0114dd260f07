/**
 * Batches request records off the request path. `enqueue` is O(1) and never touches the
 * database; a timer (or a full batch) flushes. `flush` is awaited on shutdown and before spend
 * queries, so a record enqueued before either is always visible to it.
 */
import type { Logger } from 'pino';
import type { RequestLogStore } from './request-log-store.js';
import type { RequestRecord } from './request-record.js';

export interface RequestLogWriterOptions {
  batchSize: number;
  flushIntervalMs: number;
  logger?: Logger;
}

export class RequestLogWriter {
  private buffer: RequestRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** The durable write under way, and the one queued behind it (storage.durability: strict). */
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(
    private readonly store: RequestLogStore,
    private readonly options: RequestLogWriterOptions,
  ) {}

  enqueue(record: RequestRecord): void {
    this.buffer.push(record);
    if (this.buffer.length >= this.options.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushIntervalMs);
      // A pending flush must not keep a finished process alive; shutdown flushes explicitly.
      this.timer.unref();
    }
  }

  /**
   * Enqueues a record and resolves once it is committed. Records that arrive while a write is
   * under way share the next one (group commit), so strict durability costs a write per round
   * trip to the database, not per request.
   */
  write(record: RequestRecord): Promise<void> {
    this.buffer.push(record);
    if (!this.inFlight) return this.startWrite();
    this.next ??= this.inFlight.then(() => {
      this.next = undefined;
      return this.startWrite();
    });
    return this.next;
  }

  private startWrite(): Promise<void> {
    const written = this.flush().finally(() => {
      if (this.inFlight === written) this.inFlight = undefined;
    });
    this.inFlight = written;
    return written;
  }

  /** Writes everything enqueued so far. Flushes run one after another, never concurrently. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.store.insertMany(batch);
      } catch (error) {
        // Keep the records for the next flush rather than lose them.
        this.buffer.unshift(...batch);
        this.options.logger?.error({ err: error, records: batch.length }, 'request log write failed; will retry');
        if (!this.timer) {
          this.timer = setTimeout(() => void this.flush(), 1000);
          this.timer.unref();
        }
      }
    });
    return this.flushing;
  }

  get pending(): number {
    return this.buffer.length;
  }
}
