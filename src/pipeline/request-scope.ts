/**
 * What one request carries through the pipeline, whether it came over HTTP or from a batch
 * line: its id and clock, the log record being filled in, who is calling, a signal that fires
 * when the caller goes away, the headers its answer will carry, and the work to do once the
 * answer is delivered (settle, shadow, log).
 *
 * Finish hooks run after the whole answer is out, streams included, because that is when cost
 * is known: a stage that reserves budget before the call settles it here, on success and
 * failure alike.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { PrepaidBudget } from '../governance/admission/batch-hold.js';
import { ANONYMOUS, type Principal } from '../governance/keys/authenticate.js';
import type { RequestTrace } from '../observability/tracing/request-tracer.js';
import { ClientSignal } from '../reliability/cancel-signal.js';
import { emptyRecord, type RequestRecord } from '../storage/request-record.js';
import { newRequestId } from './request-id.js';

export type FinishHook = () => void | Promise<void>;

const NO_HEADERS: IncomingHttpHeaders = {};

export class RequestScope {
  readonly id = newRequestId();
  readonly started = performance.now();
  readonly record: RequestRecord;
  /** Aborted when the caller goes away before the answer is complete. */
  readonly signal = new ClientSignal();
  /** Headers every answer to this request carries (`x-request-id`, rate limits…). */
  readonly headers: Record<string, string>;
  /** Who is calling; set by authentication. */
  principal: Principal = ANONYMOUS;
  /** The model savings are measured against: a route's strong model, or the one degradation replaced. */
  baselineModel: string | undefined = undefined;
  /** A batch line's budget, reserved with its batch: admission reserves nothing more and settles there. */
  prepaid: PrepaidBudget | undefined = undefined;
  /** This request's server span, when telemetry is on and the request is sampled (or continues a caller's trace). */
  trace: RequestTrace | undefined = undefined;
  private finishHooks: FinishHook[] | undefined;

  constructor(
    endpoint: string,
    /** The caller's HTTP headers (routing rules read them); none for a batch line. */
    readonly httpHeaders: IncomingHttpHeaders = NO_HEADERS,
  ) {
    this.record = emptyRecord(this.id, endpoint);
    this.headers = { 'x-request-id': this.id };
  }

  elapsedMs(): number {
    return Math.round((performance.now() - this.started) * 100) / 100;
  }

  /** Runs `hook` once the answer is delivered (or failed), in the order hooks were added. */
  onFinish(hook: FinishHook): void {
    (this.finishHooks ??= []).push(hook);
  }

  /** Whether any finish hook is waiting (the log step awaits them only then). */
  get hasFinishHooks(): boolean {
    return this.finishHooks !== undefined;
  }

  /** Runs the finish hooks; each one's failure is reported to `onError`, never thrown. */
  async finish(onError: (error: unknown) => void): Promise<void> {
    const hooks = this.finishHooks;
    if (!hooks) return;
    this.finishHooks = undefined;
    for (const hook of hooks) {
      try {
        await hook();
      } catch (error) {
        onError(error);
      }
    }
  }
}
