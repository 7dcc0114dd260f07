/**
 * A local sliding-window counter (requests or tokens in the last minute), kept in one-second
 * buckets so adding and reading are O(buckets) with no per-event memory. Local to this process:
 * a fleet of gateways would need shared counters, which is the governance layer's job.
 */
export class SlidingWindowCounter {
  private readonly counts: number[];
  private readonly stamps: number[];

  constructor(
    private readonly windowMs: number,
    private readonly bucketMs = 1000,
  ) {
    const buckets = Math.max(1, Math.ceil(windowMs / bucketMs));
    this.counts = new Array<number>(buckets).fill(0);
    this.stamps = new Array<number>(buckets).fill(-1);
  }

  add(amount: number, now: number): void {
    const slot = Math.floor(now / this.bucketMs);
    const index = slot % this.counts.length;
    if (this.stamps[index] !== slot) {
      this.stamps[index] = slot;
      this.counts[index] = 0;
    }
    this.counts[index]! += amount;
  }

  total(now: number): number {
    const newest = Math.floor(now / this.bucketMs);
    const oldest = newest - this.counts.length + 1;
    let sum = 0;
    for (let index = 0; index < this.counts.length; index++) {
      const stamp = this.stamps[index]!;
      if (stamp >= oldest && stamp <= newest) sum += this.counts[index]!;
    }
    return sum;
  }

  get windowMilliseconds(): number {
    return this.windowMs;
  }
}
