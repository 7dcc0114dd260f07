/**
 * Load generation. wrk is the default: it is C and epoll, so it spends a few µs of CPU per
 * request, while a Node generator (autocannon) would take a large share of one of our two cores
 * from the proxy it is measuring. wrk is driven by a generated Lua script (POST body, headers,
 * and a fixed-rate pacer through LuaJIT's ffi clock), and reports through its `done` hook.
 *
 * Where wrk is missing and cannot be installed (the CI smoke test), a small Node closed-loop
 * generator stands in; its figures are marked as such.
 *
 * Time to first token is measured by a Node client at one connection: wrk cannot see inside a
 * response.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  durationSeconds: number;
  /** Total requests per second to pace at; closed loop (as fast as possible) when absent. */
  rate?: number;
  /** Sent as every fourth request instead of `body` (the soak mixes in streams this way). */
  everyFourthBody?: string;
}

export interface LoadResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Connect, read, write and timeout errors plus non-2xx answers. */
  errors: number;
  generator: 'wrk' | 'node';
}

export type Generator = 'wrk' | 'node';

export function findWrk(): string | undefined {
  for (const candidate of ['/usr/bin/wrk', '/usr/local/bin/wrk']) if (existsSync(candidate)) return candidate;
  return undefined;
}

/** Installs wrk from Debian when running as root; returns its path or undefined. */
export function installWrk(log: (line: string) => void): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  log('wrk is missing: installing it with apt-get…');
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', timeout: 180_000 });
  if (update.status !== 0) return undefined;
  spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'ignore', timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return findWrk();
}

function luaString(text: string): string {
  let level = '';
  while (text.includes(`]${level}]`)) level += '=';
  return `[${level}[${text}]${level}]`;
}

/** The wrk script: request, optional pacing, and a machine-readable summary line. */
export function wrkScript(spec: LoadSpec): string {
  const headerLines = Object.entries({ 'content-type': 'application/json', ...spec.headers })
    .map(([name, value]) => `wrk.headers[ ${luaString(name)} ] = ${luaString(value)}`)
    .join('\n');
  const pacing = spec.rate
    ? `
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local interval_ms = ${1000 / spec.rate}
local next_at = nil
-- Each call reserves the next slot of a fixed schedule, so the rate holds whatever the
-- latency; a target that falls behind by over a second does not get a catch-up burst.
function delay()
  local now = now_ms()
  if next_at == nil or next_at < now - 1000 then next_at = now end
  local wait = next_at - now
  next_at = next_at + interval_ms
  if wait < 0 then return 0 end
  return wait
end
`
    : '';
  const mixing = spec.everyFourthBody
    ? `
local other_body = ${luaString(spec.everyFourthBody)}
local sent = 0
function request()
  sent = sent + 1
  if sent % 4 == 0 then return wrk.format(nil, nil, nil, other_body) end
  return wrk.format(nil, nil, nil, wrk.body)
end
`
    : '';
  return `wrk.method = "POST"
wrk.body = ${luaString(spec.body)}
${headerLines}
${pacing}
${mixing}
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"errors":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;
}

export async function runWrk(wrk: string, spec: LoadSpec, scriptDirectory: string): Promise<LoadResult> {
  const scriptPath = join(scriptDirectory, `wrk-${process.pid}-${Date.now()}.lua`);
  writeFileSync(scriptPath, wrkScript(spec));
  const args = ['-t1', `-c${spec.connections}`, `-d${Math.max(1, Math.round(spec.durationSeconds))}s`, '--timeout', '10s', '-s', scriptPath, spec.url];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(wrk, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (data: Buffer) => (text += data.toString('utf8')));
    child.stderr.on('data', (data: Buffer) => (text += data.toString('utf8')));
    child.on('error', reject);
    child.on('exit', () => resolve(text));
  });
  const line = output.split('\n').find((candidate) => candidate.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${output}`);
  const summary = JSON.parse(line.slice('WRK_JSON '.length)) as { requests: number; duration_us: number; errors: number; p50: number; p90: number; p99: number; max: number };
  const durationSeconds = summary.duration_us / 1e6;
  return {
    requests: summary.requests,
    durationSeconds,
    requestsPerSecond: summary.requests / durationSeconds,
    p50Ms: summary.p50 / 1000,
    p90Ms: summary.p90 / 1000,
    p99Ms: summary.p99 / 1000,
    maxMs: summary.max / 1000,
    errors: summary.errors,
    generator: 'wrk',
  };
}

/** One request on a keep-alive agent; resolves with the time to the first body byte and to the end. */
function timedRequest(agent: Agent, url: URL, spec: Pick<LoadSpec, 'headers' | 'body'>): Promise<{ firstByteMs: number; totalMs: number; status: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByteMs = -1;
    const outgoing = httpRequest(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(spec.body), ...spec.headers } },
      (response) => {
        response.on('data', () => {
          if (firstByteMs < 0) firstByteMs = performance.now() - started;
        });
        response.on('end', () => resolve({ firstByteMs, totalMs: performance.now() - started, status: response.statusCode ?? 0 }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(spec.body);
  });
}

export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
}

/** The stand-in generator: closed loop (or paced) over `connections` keep-alive sockets. */
export async function runNodeLoad(spec: LoadSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const url = new URL(spec.url);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const ends = started + spec.durationSeconds * 1000;
  const interval = spec.rate ? 1000 / spec.rate : 0;
  let nextAt = started;
  let sent = 0;
  const worker = async () => {
    while (performance.now() < ends) {
      if (interval) {
        const wait = nextAt - performance.now();
        nextAt += interval;
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (performance.now() >= ends) break;
      }
      try {
        const body = spec.everyFourthBody && ++sent % 4 === 0 ? spec.everyFourthBody : spec.body;
        const result = await timedRequest(agent, url, { headers: spec.headers, body });
        if (result.status >= 200 && result.status < 300) latencies.push(result.totalMs);
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, worker));
  const durationSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length + errors,
    durationSeconds,
    requestsPerSecond: (latencies.length + errors) / durationSeconds,
    p50Ms: percentile(latencies, 0.5),
    p90Ms: percentile(latencies, 0.9),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies[latencies.length - 1] ?? 0,
    errors,
    generator: 'node',
  };
}

export interface FirstTokenResult {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** Time to the first streamed byte, one request at a time on one keep-alive connection. */
export async function measureFirstToken(spec: Pick<LoadSpec, 'url' | 'headers' | 'body'>, samples: number): Promise<FirstTokenResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(spec.url);
  const times: number[] = [];
  let errors = 0;
  for (let index = 0; index < samples; index++) {
    try {
      const result = await timedRequest(agent, url, spec);
      if (result.status === 200 && result.firstByteMs >= 0) times.push(result.firstByteMs);
      else errors++;
    } catch {
      errors++;
    }
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  return { samples: times.length, p50Ms: percentile(times, 0.5), p99Ms: percentile(times, 0.99), errors };
}
