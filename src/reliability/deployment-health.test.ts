import { describe, expect, it } from 'vitest';
import { DeploymentHealth, type CooldownPolicy } from './deployment-health.js';
import { SlidingWindowCounter } from './sliding-window-counter.js';

function setup(policy: CooldownPolicy = { failures: 3, windowMs: 10_000, cooldownMs: 5_000 }) {
  const clock = { now: 1_000_000 };
  const health = new DeploymentHealth('gpt#0', policy, () => clock.now);
  const fail = (options: { retryAfterMs?: number } = {}) => health.finish(health.start(), { kind: 'failure', code: 'upstream_error', ...options });
  const succeed = () => health.finish(health.start(), { kind: 'success', latencyMs: 100 });
  return { clock, health, fail, succeed };
}

describe('deployment cooldown state machine', () => {
  it('opens the circuit after N failures within the window and skips the deployment for the cooldown', () => {
    const { clock, health, fail } = setup();
    fail();
    fail();
    expect(health.availability()).toBe('ready');
    fail();
    expect(health.state).toBe('open');
    expect(health.availability()).toBe('cooling');
    clock.now += 4_999;
    expect(health.availability()).toBe('cooling');
  });

  it('forgets failures older than the window', () => {
    const { clock, health, fail } = setup();
    fail();
    fail();
    clock.now += 10_001;
    fail();
    expect(health.state).toBe('closed');
    expect(health.recentFailures()).toBe(1);
  });

  it('lets exactly one probe through when half-open, and closes the circuit when it succeeds', () => {
    const { clock, health, fail } = setup();
    fail();
    fail();
    fail();
    clock.now += 5_000;
    expect(health.availability()).toBe('probe');
    const probe = health.start();
    expect(probe.probe).toBe(true);
    expect(health.availability()).toBe('probe-busy');
    health.finish(probe, { kind: 'success', latencyMs: 80 });
    expect(health.state).toBe('closed');
    expect(health.availability()).toBe('ready');
    expect(health.recentFailures()).toBe(0);
  });

  it('reopens the circuit for another cooldown when the probe fails', () => {
    const { clock, health, fail } = setup();
    fail();
    fail();
    fail();
    clock.now += 5_000;
    const probe = health.start();
    health.finish(probe, { kind: 'failure', code: 'upstream_timeout' });
    expect(health.state).toBe('open');
    expect(health.openUntil).toBe(clock.now + 5_000);
    expect(health.lastErrorCode).toBe('upstream_timeout');
  });

  it('stops waiting for a probe that never finished after the probe timeout', () => {
    const { clock, health, fail } = setup({ failures: 1, windowMs: 10_000, cooldownMs: 5_000, probeTimeoutMs: 30_000 });
    fail();
    clock.now += 5_000;
    health.start();
    clock.now += 30_000;
    expect(health.availability()).toBe('probe-busy');
    clock.now += 1;
    expect(health.availability()).toBe('probe');
  });

  it('does not reopen a half-open circuit for a late failure of a call started while it was closed', () => {
    const { clock, health, fail } = setup();
    const old = health.start();
    fail();
    fail();
    fail();
    clock.now += 5_000;
    health.finish(old, { kind: 'failure', code: 'upstream_error' });
    expect(health.state).toBe('half-open');
  });

  it('ignores neutral outcomes (client errors, cancelled calls) for the circuit', () => {
    const { health } = setup();
    for (let index = 0; index < 10; index++) health.finish(health.start(), { kind: 'neutral', code: 'invalid_request' });
    expect(health.state).toBe('closed');
    expect(health.lastErrorCode).toBe('invalid_request');
    expect(health.inFlight).toBe(0);
  });

  it('honours Retry-After: rate-limited until it passes, even with the circuit closed', () => {
    const { clock, health, fail } = setup();
    fail({ retryAfterMs: 2_000 });
    expect(health.state).toBe('closed');
    expect(health.availability()).toBe('rate-limited');
    clock.now += 2_000;
    expect(health.availability()).toBe('ready');
  });

  it('tracks in-flight calls and a latency EWMA of successes, leaving out the cold first call', () => {
    const { health } = setup();
    const calls = [health.start(), health.start(), health.start(), health.start(), health.start()];
    expect(health.inFlight).toBe(5);
    health.finish(calls[0]!, { kind: 'success', latencyMs: 900 });
    expect(health.ewmaLatencyMs).toBeNull();
    expect(health.latencyNeedsSample()).toBe(true);
    health.finish(calls[1]!, { kind: 'success', latencyMs: 100 });
    health.finish(calls[2]!, { kind: 'success', latencyMs: 200 });
    expect(health.ewmaLatencyMs).toBeCloseTo(150); // an even mean of the first samples
    health.finish(calls[3]!, { kind: 'success', latencyMs: 100 });
    health.finish(calls[4]!, { kind: 'success', latencyMs: 200 });
    expect(health.inFlight).toBe(0);
    const third = (1 / 3) * 100 + (2 / 3) * 150;
    expect(health.ewmaLatencyMs).toBeCloseTo(0.3 * 200 + 0.7 * third);
    expect(health.latencyNeedsSample()).toBe(false);
  });

  it('asks for a new latency sample once the last one is stale', () => {
    const { clock, health } = setup();
    for (let index = 0; index < 2; index++) health.finish(health.start(), { kind: 'success', latencyMs: 50 });
    expect(health.latencyNeedsSample()).toBe(false);
    clock.now += 31_000;
    expect(health.latencyNeedsSample()).toBe(true);
  });

  it('measures rpm and tpm headroom with local sliding counters', () => {
    const { clock, health, succeed } = setup();
    for (let index = 0; index < 5; index++) succeed();
    health.recordTokens(800);
    expect(health.headroom({ rpm: 10 })).toBeCloseTo(0.5);
    expect(health.headroom({ rpm: 10, tpm: 1000 })).toBeCloseTo(0.2);
    expect(health.atLimit({ rpm: 5 })).toBe(true);
    clock.now += 60_000;
    expect(health.headroom({ rpm: 10, tpm: 1000 })).toBe(1);
  });
});

describe('sliding window counter', () => {
  it('counts only the last window', () => {
    const counter = new SlidingWindowCounter(60_000);
    counter.add(3, 0);
    counter.add(4, 30_000);
    expect(counter.total(59_999)).toBe(7);
    expect(counter.total(60_500)).toBe(4);
    expect(counter.total(200_000)).toBe(0);
  });
});
