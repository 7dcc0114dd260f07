/**
 * How fast this instance runs batch lines itself: at most `concurrency` at once and `rpm` starts
 * a minute, spread evenly (one start every 60 000 / rpm ms) rather than in bursts, so live
 * traffic to the same upstream keeps its room. Shared by every batch this instance runs.
 */
export class Pacer {
  private inFlight = 0;
  private nextStart = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly concurrency: number, private readonly rpm: number) {}

  /** Resolves when a line may start; call the returned release when it ends. */
  async acquire(): Promise<() => void> {
    while (this.inFlight >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    const now = Date.now();
    const start = Math.max(now, this.nextStart);
    this.nextStart = start + 60_000 / this.rpm;
    if (start > now) await new Promise((resolve) => setTimeout(resolve, start - now));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.waiting.shift()?.();
    };
  }

  get running(): number {
    return this.inFlight;
  }
}
