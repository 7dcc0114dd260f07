/**
 * The Lua scripts behind the Redis counters. Each runs atomically on the Redis server, so N
 * gateway instances checking and adding to one counter can never interleave between the check
 * and the add (the bug behind budgets bypassed under concurrency). Time comes from Redis's own
 * clock (TIME), so instances with skewed clocks still agree on one sliding window.
 *
 * Budget counter = a hash (`s` settled, `r` held, `h:<id>` each hold) plus a sorted set of hold
 * ids by expiry: a hold whose gateway died before settling is dropped after its TTL.
 *
 * Negations are written `0 - x`, never `-x`: Lua's `-0` reaches Redis as the string "-0", which
 * HINCRBY refuses, so settling a hold of 0 (an unpriced model) failed.
 */

const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const PURGE_HOLDS = `
local function purge(hash, holds)
  local expired = redis.call('ZRANGEBYSCORE', holds, '-inf', now)
  for _, id in ipairs(expired) do
    local amount = tonumber(redis.call('HGET', hash, 'h:' .. id) or '0')
    redis.call('HINCRBY', hash, 'r', 0 - amount)
    redis.call('HDEL', hash, 'h:' .. id)
  end
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', holds, '-inf', now) end
end
local function used(hash)
  return tonumber(redis.call('HGET', hash, 's') or '0') + tonumber(redis.call('HGET', hash, 'r') or '0')
end`;

/** KEYS: hash1, holds1, hash2, holds2…  ARGV: id, ttlMs, then per counter limit (-1 = none), amount, expiresAt. */
export const RESERVE_SCRIPT = `${NOW}
${PURGE_HOLDS}
local id = ARGV[1]
local ttl = tonumber(ARGV[2])
local n = #KEYS / 2
for i = 1, n do
  local hash, holds = KEYS[2 * i - 1], KEYS[2 * i]
  purge(hash, holds)
  local limit = tonumber(ARGV[3 * i])
  local amount = tonumber(ARGV[3 * i + 1])
  local current = used(hash)
  if limit >= 0 and current + amount > limit then return {0, i - 1, tostring(current)} end
end
for i = 1, n do
  local hash, holds = KEYS[2 * i - 1], KEYS[2 * i]
  local amount = tonumber(ARGV[3 * i + 1])
  local expiresAt = tonumber(ARGV[3 * i + 2])
  redis.call('HINCRBY', hash, 'r', amount)
  redis.call('HSET', hash, 'h:' .. id, amount)
  redis.call('ZADD', holds, now + ttl, id)
  redis.call('PEXPIREAT', hash, expiresAt)
  redis.call('PEXPIREAT', holds, expiresAt)
end
return {1}`;

/** KEYS: hash1, holds1…  ARGV: id, then per counter actual, expiresAt. */
export const SETTLE_SCRIPT = `
local id = ARGV[1]
for i = 1, #KEYS / 2 do
  local hash, holds = KEYS[2 * i - 1], KEYS[2 * i]
  local held = redis.call('HGET', hash, 'h:' .. id)
  if held then
    redis.call('HINCRBY', hash, 'r', 0 - tonumber(held))
    redis.call('HDEL', hash, 'h:' .. id)
    redis.call('ZREM', holds, id)
  end
  redis.call('HINCRBY', hash, 's', tonumber(ARGV[2 * i]))
  redis.call('PEXPIREAT', hash, tonumber(ARGV[2 * i + 1]))
end
return 1`;

/** KEYS: hash1, holds1…  ARGV: id, ttlMs, then per counter amount, expiresAt. Sets the hold to amount, unchecked. */
export const HOLD_SCRIPT = `${NOW}
local id = ARGV[1]
local ttl = tonumber(ARGV[2])
for i = 1, #KEYS / 2 do
  local hash, holds = KEYS[2 * i - 1], KEYS[2 * i]
  local amount = tonumber(ARGV[2 * i + 1])
  local held = tonumber(redis.call('HGET', hash, 'h:' .. id) or '0')
  redis.call('HINCRBY', hash, 'r', amount - held)
  redis.call('HSET', hash, 'h:' .. id, amount)
  redis.call('ZADD', holds, now + ttl, id)
  redis.call('PEXPIREAT', hash, tonumber(ARGV[2 * i + 2]))
  redis.call('PEXPIREAT', holds, tonumber(ARGV[2 * i + 2]))
end
return 1`;

/** KEYS: hash1, holds1…  ARGV: id, then per counter release, actual, expiresAt. */
export const SETTLE_PART_SCRIPT = `
local id = ARGV[1]
for i = 1, #KEYS / 2 do
  local hash = KEYS[2 * i - 1]
  local release = tonumber(ARGV[3 * i - 1])
  local held = redis.call('HGET', hash, 'h:' .. id)
  if held then
    local released = math.min(tonumber(held), release)
    redis.call('HINCRBY', hash, 'r', 0 - released)
    redis.call('HSET', hash, 'h:' .. id, tonumber(held) - released)
  end
  redis.call('HINCRBY', hash, 's', tonumber(ARGV[3 * i]))
  redis.call('PEXPIREAT', hash, tonumber(ARGV[3 * i + 1]))
end
return 1`;

/** KEYS: hash1, holds1…  Returns the used amount of each. */
export const USAGE_SCRIPT = `${NOW}
${PURGE_HOLDS}
local result = {}
for i = 1, #KEYS / 2 do
  purge(KEYS[2 * i - 1], KEYS[2 * i])
  result[i] = tostring(used(KEYS[2 * i - 1]))
end
return result`;

/** KEYS: hash.  ARGV: settled, expiresAt. */
export const SEED_SCRIPT = `
if redis.call('HSETNX', KEYS[1], 's', ARGV[1]) == 1 then redis.call('PEXPIREAT', KEYS[1], tonumber(ARGV[2])) end
return 1`;

/**
 * Sliding-window log. KEYS: log1 (sorted set id → admitted at), weights1 (hash id → weight,
 * plus 'total')…  ARGV: id, then per window limit, weight, windowMs.
 * Returns {admitted, index, limit1, remaining1, resetMs1, …} for the windows decided so far.
 */
export const ACQUIRE_RATE_SCRIPT = `${NOW}
local id = ARGV[1]
local n = #KEYS / 2
local states = {}
for i = 1, n do
  local log, weights = KEYS[2 * i - 1], KEYS[2 * i]
  local limit = tonumber(ARGV[3 * i - 1])
  local weight = tonumber(ARGV[3 * i])
  local window = tonumber(ARGV[3 * i + 1])
  local cutoff = now - window
  local expired = redis.call('ZRANGEBYSCORE', log, '-inf', cutoff)
  for _, old in ipairs(expired) do
    redis.call('HINCRBY', weights, 'total', 0 - tonumber(redis.call('HGET', weights, old) or '0'))
    redis.call('HDEL', weights, old)
  end
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', log, '-inf', cutoff) end
  local used = tonumber(redis.call('HGET', weights, 'total') or '0')
  if used + weight <= limit then
    local oldest = redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')
    local reset = 0
    if oldest[2] then reset = math.max(0, tonumber(oldest[2]) + window - now) end
    table.insert(states, limit); table.insert(states, limit - used - weight); table.insert(states, reset)
  else
    local needed = used + weight - limit
    local reset = window
    local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
    for j = 1, #entries, 2 do
      needed = needed - tonumber(redis.call('HGET', weights, entries[j]) or '0')
      if needed <= 0 then reset = math.max(1, tonumber(entries[j + 1]) + window - now); break end
    end
    table.insert(states, limit); table.insert(states, math.max(0, limit - used)); table.insert(states, reset)
    local result = {0, i - 1}
    for _, value in ipairs(states) do table.insert(result, value) end
    return result
  end
end
for i = 1, n do
  local log, weights = KEYS[2 * i - 1], KEYS[2 * i]
  local weight = tonumber(ARGV[3 * i])
  local window = tonumber(ARGV[3 * i + 1])
  redis.call('ZADD', log, now, id)
  redis.call('HSET', weights, id, weight)
  redis.call('HINCRBY', weights, 'total', weight)
  redis.call('PEXPIRE', log, window * 2)
  redis.call('PEXPIRE', weights, window * 2)
end
local result = {1, -1}
for _, value in ipairs(states) do table.insert(result, value) end
return result`;

/** KEYS: log, weights.  ARGV: id, weight (0 removes the entry). */
export const ADJUST_RATE_SCRIPT = `
local old = redis.call('HGET', KEYS[2], ARGV[1])
if not old then return 0 end
local weight = tonumber(ARGV[2])
redis.call('HINCRBY', KEYS[2], 'total', weight - tonumber(old))
if weight <= 0 then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[2], ARGV[1], weight)
end
return 1`;
