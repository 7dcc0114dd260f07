/**
 * Counters in Redis, shared by every gateway instance that points at the same Redis and key
 * prefix. Each operation is one Lua script (see redis-scripts.ts), so it is atomic across
 * instances. If Redis is unreachable, operations fail and the request gets 503: a budget that
 * cannot be checked is not silently skipped.
 */
import { Redis } from 'ioredis';
import type { BudgetCounter, CounterStore, RateCounter, RateResult, RateState, ReserveResult } from './counter-store.js';
import { ACQUIRE_RATE_SCRIPT, ADJUST_RATE_SCRIPT, HOLD_SCRIPT, RESERVE_SCRIPT, SEED_SCRIPT, SETTLE_PART_SCRIPT, SETTLE_SCRIPT, USAGE_SCRIPT } from './redis-scripts.js';

const SCRIPTS = {
  switchboardReserve: RESERVE_SCRIPT,
  switchboardSettle: SETTLE_SCRIPT,
  switchboardHold: HOLD_SCRIPT,
  switchboardSettlePart: SETTLE_PART_SCRIPT,
  switchboardUsage: USAGE_SCRIPT,
  switchboardSeed: SEED_SCRIPT,
  switchboardAcquireRate: ACQUIRE_RATE_SCRIPT,
  switchboardAdjustRate: ADJUST_RATE_SCRIPT,
};
type ScriptName = keyof typeof SCRIPTS;

export class RedisCounterStore implements CounterStore {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;

  constructor(url: string, private readonly prefix: string) {
    // Fail a command after one reconnect attempt instead of queueing it forever: the request
    // waiting on it should get a 503 quickly, not hang.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000, lazyConnect: false });
    this.redis.on('error', () => {});
    for (const [name, lua] of Object.entries(SCRIPTS)) this.redis.defineCommand(name, { lua });
  }

  async reserve(reservationId: string, counters: readonly BudgetCounter[], ttlMs: number): Promise<ReserveResult> {
    const keys = counters.flatMap((counter) => this.budgetKeys(counter.key));
    const args = [reservationId, ttlMs, ...counters.flatMap((counter) => [Number.isFinite(counter.limit) ? Math.floor(counter.limit) : -1, Math.ceil(counter.amount), counter.expiresAt])];
    const result = (await this.run('switchboardReserve', keys, args)) as [number, number?, string?];
    if (result[0] === 1) return { ok: true };
    return { ok: false, index: Number(result[1]), used: Number(result[2]) };
  }

  async settle(reservationId: string, settlements: ReadonlyArray<{ key: string; actual: number; expiresAt: number }>): Promise<void> {
    const keys = settlements.flatMap((settlement) => this.budgetKeys(settlement.key));
    await this.run('switchboardSettle', keys, [reservationId, ...settlements.flatMap((settlement) => [Math.ceil(settlement.actual), settlement.expiresAt])]);
  }

  async hold(reservationId: string, counters: readonly BudgetCounter[], ttlMs: number): Promise<void> {
    const keys = counters.flatMap((counter) => this.budgetKeys(counter.key));
    await this.run('switchboardHold', keys, [reservationId, ttlMs, ...counters.flatMap((counter) => [Math.ceil(counter.amount), counter.expiresAt])]);
  }

  async settlePart(reservationId: string, parts: ReadonlyArray<{ key: string; release: number; actual: number; expiresAt: number }>): Promise<void> {
    const keys = parts.flatMap((part) => this.budgetKeys(part.key));
    await this.run('switchboardSettlePart', keys, [reservationId, ...parts.flatMap((part) => [Math.ceil(part.release), Math.ceil(part.actual), part.expiresAt])]);
  }

  async usage(keys: readonly string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const result = (await this.run('switchboardUsage', keys.flatMap((key) => this.budgetKeys(key)), [])) as string[];
    return result.map(Number);
  }

  async seed(key: string, settled: number, expiresAt: number): Promise<void> {
    await this.run('switchboardSeed', [this.budgetKeys(key)[0]!], [Math.ceil(settled), expiresAt]);
  }

  async acquireRate(entryId: string, counters: readonly RateCounter[]): Promise<RateResult> {
    const keys = counters.flatMap((counter) => this.rateKeys(counter.key));
    const args = [entryId, ...counters.flatMap((counter) => [counter.limit, counter.weight, counter.windowMs])];
    const result = ((await this.run('switchboardAcquireRate', keys, args)) as Array<number | string>).map(Number);
    const states: RateState[] = [];
    for (let index = 2; index + 2 < result.length; index += 3) {
      states.push({ limit: result[index]!, remaining: result[index + 1]!, resetMs: result[index + 2]! });
    }
    if (result[0] === 1) return { ok: true, states };
    return { ok: false, index: result[1]!, states };
  }

  async adjustRate(entryId: string, key: string, weight: number): Promise<void> {
    await this.run('switchboardAdjustRate', this.rateKeys(key), [entryId, Math.max(0, Math.ceil(weight))]);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private budgetKeys(key: string): [string, string] {
    return [`${this.prefix}budget:${key}`, `${this.prefix}budget:${key}:holds`];
  }

  private rateKeys(key: string): [string, string] {
    return [`${this.prefix}rate:${key}`, `${this.prefix}rate:${key}:weights`];
  }

  private run(name: ScriptName, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    const command = (this.redis as unknown as Record<ScriptName, (...values: Array<string | number>) => Promise<unknown>>)[name];
    return command.call(this.redis, keys.length, ...keys, ...args);
  }
}
