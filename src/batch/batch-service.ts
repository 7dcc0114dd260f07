/**
 * What a gateway holds for batch jobs: the durable store (same database as the request log) and
 * the runner that drives batches on this instance. Opened at startup, like storage; closed on
 * shutdown after the runner has let its lines in flight finish.
 */
import type { Gateway } from '../server/gateway.js';
import { BatchRunner } from './batch-runner.js';
import { BatchStore } from './store/batch-store.js';

export class BatchService {
  private constructor(
    readonly store: BatchStore,
    readonly runner: BatchRunner,
  ) {}

  /** Opens the store; `start` begins running batches once the gateway is whole. */
  static async open(gateway: Gateway, storageUrl: string): Promise<BatchService> {
    const store = await BatchStore.open(storageUrl);
    return new BatchService(store, new BatchRunner(gateway, store));
  }

  start(): void {
    this.runner.start();
  }

  /** Stops taking new lines, lets running ones finish until `deadline` (ms since the epoch), then closes the store. */
  async close(deadline: number): Promise<void> {
    await this.runner.close(deadline);
    await this.store.close();
  }
}
