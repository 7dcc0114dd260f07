/**
 * The health of one deployment: a circuit breaker (closed → open → half-open → closed), the
 * Retry-After window an upstream asked for, in-flight calls, a latency EWMA and rpm/tpm counters.
 *
 * Closed: traffic flows. `failures` deployment faults within `windowMs` open the circuit.
 * Open: skipped for `cooldownMs`. Half-open: one probe call at a time; a success closes the
 * circuit, a failure opens it again. Failures that are the request's fault (a 400) or the
 * client's (it hung up) are neutral: they say nothing about the deployment.
 */
import { RETRY_POLICY } from './retry-policy.js';
import { SlidingWindowCounter } from './sliding-window-counter.js';

export interface CooldownPolicy {
  /** Deployment faults within `windowMs` that open the circuit. */
  failures: number;
  windowMs: number;
  /** How long an open circuit skips the deployment before probing it. */
  cooldownMs: number;
  /**
   * A probe still unfinished after this long no longer blocks the next one (a stream nobody
   * consumed must not keep the circuit half-open forever). The request's total timeout.
   */
  probeTimeoutMs?: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * `ready`: send. `probe`: send as the half-open probe. `probe-busy`: half-open with its probe in
 * flight. `cooling`: circuit open. `rate-limited`: the upstream's Retry-After has not passed.
 */
export type Availability = 'ready' | 'probe' | 'probe-busy' | 'cooling' | 'rate-limited';

/** One call's hold on a deployment, handed back to `finish`. */
export interface Lease {
  readonly probe: boolean;
  /** Whether the circuit was closed when the call started; a late failure of an older call must not reopen it. */
  readonly startedClosed: boolean;
}

export type CallOutcome =
  | { kind: 'success'; latencyMs?: number }
  /** A deployment fault: counts toward the circuit. */
  | { kind: 'failure'; code: string | null; retryAfterMs?: number }
  /** The request's or the client's fault: no verdict on the deployment. */
  | { kind: 'neutral'; code: string | null };

export class DeploymentHealth {
  private circuit: CircuitState = 'closed';
  private failureTimes: number[] = [];
  private probeInFlight = false;
  private probeStartedAt = 0;
  openUntil = 0;
  rateLimitedUntil = 0;
  inFlight = 0;
  ewmaLatencyMs: number | null = null;
  private latencySamples = 0;
  private lastLatencyAt = 0;
  lastErrorCode: string | null = null;
  lastErrorAt: number | null = null;
  successes = 0;
  failures = 0;
  readonly requestsPerWindow = new SlidingWindowCounter(RETRY_POLICY.rateWindowMs);
  readonly tokensPerWindow = new SlidingWindowCounter(RETRY_POLICY.rateWindowMs);

  constructor(
    readonly id: string,
    private readonly policy: CooldownPolicy,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The circuit state now; an open circuit whose cooldown has passed becomes half-open. */
  get state(): CircuitState {
    if (this.circuit === 'open' && this.clock() >= this.openUntil) this.circuit = 'half-open';
    return this.circuit;
  }

  availability(): Availability {
    const state = this.state;
    if (this.clock() < this.rateLimitedUntil) return 'rate-limited';
    if (state === 'open') return 'cooling';
    if (state === 'half-open') return this.probeInFlight && !this.probeAbandoned() ? 'probe-busy' : 'probe';
    return 'ready';
  }

  /** Deployment faults inside the current window. */
  recentFailures(): number {
    this.pruneFailures();
    return this.failureTimes.length;
  }

  /** True when the local counters show the deployment at its configured rpm or tpm. */
  atLimit(limits: { rpm?: number; tpm?: number }): boolean {
    return this.headroom(limits) <= 0;
  }

  /** Share of the tighter of rpm and tpm still unused (1 when neither is configured). */
  headroom(limits: { rpm?: number; tpm?: number }): number {
    const now = this.clock();
    let headroom = 1;
    if (limits.rpm) headroom = Math.min(headroom, 1 - this.requestsPerWindow.total(now) / limits.rpm);
    if (limits.tpm) headroom = Math.min(headroom, 1 - this.tokensPerWindow.total(now) / limits.tpm);
    return headroom;
  }

  start(): Lease {
    const probe = this.availability() === 'probe';
    if (probe) {
      this.probeInFlight = true;
      this.probeStartedAt = this.clock();
    }
    this.inFlight++;
    this.requestsPerWindow.add(1, this.clock());
    return { probe, startedClosed: this.circuit === 'closed' };
  }

  recordTokens(tokens: number): void {
    if (tokens > 0) this.tokensPerWindow.add(tokens, this.clock());
  }

  /**
   * Latency of a successful call (for streams: to the first chunk), folded into the EWMA. A
   * deployment's first call is not counted: it pays for the connection (a TLS handshake to a
   * far region) and a cold path, and one such sample kept lowest-latency away from a fast
   * deployment for good. The next samples are averaged evenly until the EWMA's weight takes over.
   */
  observeLatency(latencyMs: number): void {
    this.lastLatencyAt = this.clock();
    const counted = this.latencySamples++;
    if (counted === 0) return;
    const alpha = Math.max(RETRY_POLICY.latencyEwmaAlpha, 1 / counted);
    this.ewmaLatencyMs = this.ewmaLatencyMs === null ? latencyMs : alpha * latencyMs + (1 - alpha) * this.ewmaLatencyMs;
  }

  /** True until a warm call was measured, and again once the measurement is stale. */
  latencyNeedsSample(): boolean {
    return this.ewmaLatencyMs === null || this.clock() - this.lastLatencyAt > RETRY_POLICY.latencyStaleMs;
  }

  finish(lease: Lease, outcome: CallOutcome): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (lease.probe) this.probeInFlight = false;
    const now = this.clock();
    if (outcome.kind === 'success') {
      this.successes++;
      if (outcome.latencyMs !== undefined) this.observeLatency(outcome.latencyMs);
      if (this.state !== 'closed') this.close();
      return;
    }
    this.lastErrorCode = outcome.code;
    this.lastErrorAt = now;
    if (outcome.kind === 'neutral') return;
    this.failures++;
    if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > 0) {
      this.rateLimitedUntil = Math.max(this.rateLimitedUntil, now + Math.min(outcome.retryAfterMs, RETRY_POLICY.retryAfterCapMs));
    }
    this.failureTimes.push(now);
    this.pruneFailures();
    const state = this.state;
    if (state === 'half-open' && (lease.probe || !lease.startedClosed)) this.open(now);
    else if (state === 'closed' && this.failureTimes.length >= this.policy.failures) this.open(now);
  }

  private probeAbandoned(): boolean {
    return this.policy.probeTimeoutMs !== undefined && this.clock() - this.probeStartedAt > this.policy.probeTimeoutMs;
  }

  private open(now: number): void {
    this.circuit = 'open';
    this.openUntil = now + this.policy.cooldownMs;
  }

  private close(): void {
    this.circuit = 'closed';
    this.failureTimes = [];
    this.openUntil = 0;
  }

  private pruneFailures(): void {
    const oldest = this.clock() - this.policy.windowMs;
    while (this.failureTimes.length > 0 && this.failureTimes[0]! <= oldest) this.failureTimes.shift();
  }
}
