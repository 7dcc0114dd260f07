/**
 * Byte bounds on an upstream SSE body, checked as each read arrives and before it is fed to the
 * event parser: the parser buffers an unfinished line (and an unfinished event) without limit,
 * so one endless line would otherwise grow the heap until the process dies.
 *
 * - the whole stream is at most `streamBytes`;
 * - the bytes since the last line break, and since the last complete event, at most `eventBytes`.
 *
 * The checks cost a `lastIndexOf` per read. "Since the last event" is reset by the parser's
 * callbacks, so it can overshoot by at most one read before the bound trips.
 */
import { UpstreamResponseTooLargeError, type GatewayError } from '../../errors/index.js';
import { DEFAULT_UPSTREAM_LIMITS, type UpstreamLimits } from './upstream-limits.js';

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class StreamBounds {
  private readonly limits: UpstreamLimits;
  private total = 0;
  private sinceLineBreak = 0;
  private sinceEvent = 0;

  constructor(
    private readonly provider: string,
    limits: UpstreamLimits | undefined,
  ) {
    this.limits = limits ?? DEFAULT_UPSTREAM_LIMITS;
  }

  /** Counts one read; returns the error to end the stream with when it crosses a bound. */
  check(chunk: Buffer): GatewayError | undefined {
    this.total += chunk.length;
    if (this.total > this.limits.streamBytes) return new UpstreamResponseTooLargeError(this.provider, 'stream', this.limits.streamBytes);
    const lastBreak = Math.max(chunk.lastIndexOf(LINE_FEED), chunk.lastIndexOf(CARRIAGE_RETURN));
    this.sinceLineBreak = lastBreak === -1 ? this.sinceLineBreak + chunk.length : chunk.length - lastBreak - 1;
    this.sinceEvent += chunk.length;
    if (this.sinceLineBreak > this.limits.eventBytes || this.sinceEvent > this.limits.eventBytes) {
      return new UpstreamResponseTooLargeError(this.provider, 'event', this.limits.eventBytes);
    }
    return undefined;
  }

  /** The parser completed an event (or a comment): what it buffered so far is released. */
  eventCompleted(): void {
    this.sinceEvent = 0;
  }
}
