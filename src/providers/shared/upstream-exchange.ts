/**
 * One upstream HTTP exchange, driven by undici's dispatcher handler callbacks rather than
 * `undici.request()`. Every model call crosses this path, and `request()` builds a Readable
 * body stream, an abort-signal bridge and a parsed header object per call, which together cost
 * more CPU than everything else the proxy does with the response. Here the body is a plain
 * chunk list: read whole (`text()`), pushed to one listener as it arrives (`subscribe()`, the
 * stream relay), or iterated (`for await`, the provider stream mappers).
 *
 * It uses undici's callback handler interface (onConnect/onHeaders/onData/onComplete/onError),
 * which undici 7 dispatches without a wrapper; the newer controller interface is wrapped in an
 * adapter per call.
 */
import { util, type Dispatcher } from 'undici';

export interface BodyListener {
  /** Return false to pause the upstream until `resume()` is called. */
  onData(chunk: Buffer): boolean | void;
  onEnd(): void;
  onError(error: unknown): void;
}

/** An upstream body, read once: whole, pushed to a listener, or iterated. */
export interface UpstreamBody extends AsyncIterable<Buffer> {
  /**
   * The whole body as text. Past `maxBytes` the exchange is closed, and the promise rejects with
   * `BodyLimitExceeded` (`overflow: 'fail'`) or resolves with the first `maxBytes` (`'truncate'`).
   */
  text(maxBytes?: number, overflow?: 'fail' | 'truncate'): Promise<string>;
  subscribe(listener: BodyListener): void;
  /** Continues an upstream paused by a listener returning false. */
  resume(): void;
  /** Stops the exchange (closes its connection if the body is not complete). */
  destroy(reason?: Error): void;
}

/** A body went past the byte bound its reader set; the exchange has been closed. */
export class BodyLimitExceeded extends Error {
  constructor(readonly limitBytes: number) {
    super(`the upstream body is larger than ${limitBytes} bytes`);
  }
}

type State = 'waiting' | 'receiving' | 'complete' | 'failed';

/** Chunks kept before the iterator's consumer asks for them; past this the upstream is paused. */
const ITERATOR_HIGH_WATER = 16;

export class UpstreamExchange implements Dispatcher.DispatchHandler, UpstreamBody {
  status = 0;
  /** Settles when the status line and headers have arrived, or the exchange failed before. */
  readonly headersReceived: Promise<void>;
  private state: State = 'waiting';
  private failure: unknown;
  private rawHeaders: Buffer[] = [];
  private parsedHeaders: Record<string, string | string[] | undefined> | undefined;
  private abortUpstream: ((reason?: Error) => void) | undefined;
  private pendingAbort: Error | undefined;
  private resumeUpstream: (() => void) | undefined;
  private paused = false;
  private buffered: Buffer[] = [];
  private listener: BodyListener | undefined;
  private settleHeaders!: { resolve: () => void; reject: (error: unknown) => void };

  /** `onSettled` runs once, when the exchange completes or fails (timers are cleared there). */
  constructor(private readonly onSettled: () => void) {
    this.headersReceived = new Promise<void>((resolve, reject) => {
      this.settleHeaders = { resolve, reject };
    });
  }

  /** The exchange is its own response's body (`UpstreamResponse.body`). */
  get body(): UpstreamBody {
    return this;
  }

  /** Response headers with lower-case names, parsed on first use (error paths read them). */
  get headers(): Record<string, string | string[] | undefined> {
    this.parsedHeaders ??= util.parseHeaders(this.rawHeaders) as Record<string, string | string[] | undefined>;
    return this.parsedHeaders;
  }

  // ---- undici handler callbacks ----

  onConnect(abort: (reason?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.pendingAbort) abort(this.pendingAbort);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx informational: the real response follows.
    this.status = statusCode;
    this.rawHeaders = rawHeaders;
    this.resumeUpstream = resume;
    this.state = 'receiving';
    this.settleHeaders.resolve();
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (!this.listener) {
      this.buffered.push(chunk);
      return true;
    }
    if (this.listener.onData(chunk) === false) {
      this.paused = true;
      return false;
    }
    return true;
  }

  onComplete(): void {
    this.state = 'complete';
    this.onSettled();
    this.listener?.onEnd();
  }

  onError(error: Error): void {
    const before = this.state === 'waiting';
    this.state = 'failed';
    this.failure = error;
    this.onSettled();
    if (before) this.settleHeaders.reject(error);
    else this.listener?.onError(error);
  }

  // ---- body ----

  subscribe(listener: BodyListener): void {
    if (this.listener) throw new Error('an upstream body can be read once');
    this.listener = listener;
    const buffered = this.buffered;
    this.buffered = [];
    for (const chunk of buffered) listener.onData(chunk);
    if (this.state === 'complete') listener.onEnd();
    else if (this.state === 'failed') listener.onError(this.failure);
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumeUpstream?.();
  }

  destroy(reason: Error = new Error('the upstream body was abandoned')): void {
    if (this.state === 'complete' || this.state === 'failed') return;
    if (this.abortUpstream) this.abortUpstream(reason);
    else this.pendingAbort = reason;
  }

  text(maxBytes = Infinity, overflow: 'fail' | 'truncate' = 'fail'): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const joined = () => (chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
      this.subscribe({
        onData: (chunk) => {
          if (done) return;
          if (size + chunk.length > maxBytes) {
            // Stop buffering at the bound: an endless body must not grow the heap.
            done = true;
            chunks.push(chunk.subarray(0, maxBytes - size));
            this.destroy(new BodyLimitExceeded(maxBytes));
            if (overflow === 'truncate') resolve(joined());
            else reject(new BodyLimitExceeded(maxBytes));
            return;
          }
          size += chunk.length;
          chunks.push(chunk);
        },
        onEnd: () => {
          if (!done) resolve(joined());
        },
        onError: (error) => {
          if (!done) reject(error);
        },
      });
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    const queue: Buffer[] = [];
    let ended = false;
    let failure: unknown;
    let waiting: { resolve: (result: IteratorResult<Buffer>) => void; reject: (error: unknown) => void } | undefined;
    const wake = () => {
      if (!waiting) return;
      const { resolve, reject } = waiting;
      if (queue.length > 0) resolve({ value: queue.shift()!, done: false });
      else if (failure !== undefined) reject(failure);
      else if (ended) resolve({ value: undefined, done: true });
      else return;
      waiting = undefined;
    };
    this.subscribe({
      onData: (chunk) => {
        queue.push(chunk);
        wake();
        return queue.length < ITERATOR_HIGH_WATER;
      },
      onEnd: () => {
        ended = true;
        wake();
      },
      onError: (error) => {
        failure = error ?? new Error('the upstream body failed');
        wake();
      },
    });
    return {
      next: () => {
        if (queue.length > 0) {
          const value = queue.shift()!;
          if (queue.length < ITERATOR_HIGH_WATER) this.resume();
          return Promise.resolve({ value, done: false });
        }
        if (failure !== undefined) return Promise.reject(failure);
        if (ended) return Promise.resolve({ value: undefined, done: true });
        this.resume();
        return new Promise((resolve, reject) => {
          waiting = { resolve, reject };
        });
      },
      return: () => {
        // The consumer stopped early: close the exchange like a destroyed undici body would.
        this.destroy();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
