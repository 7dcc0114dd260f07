/**
 * What a request asks of the cache: `Cache-Control` (`no-cache` skips the lookup but stores the
 * answer, `no-store` does neither, `max-age=N` accepts only entries younger than N seconds) and
 * `x-switchboard-cache: off | read_only | write_only`, which overrides the configured mode.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface CacheDirectives {
  read: boolean;
  write: boolean;
  /** Oldest entry accepted, in milliseconds; undefined = any unexpired entry. */
  maxAgeMs?: number;
}

const READ_WRITE: CacheDirectives = { read: true, write: true };

export function cacheDirectives(headers: IncomingHttpHeaders): CacheDirectives {
  const control = headers['cache-control'];
  const mode = headers['x-switchboard-cache'];
  if (control === undefined && mode === undefined) return READ_WRITE;
  let read = true;
  let write = true;
  let maxAgeMs: number | undefined;
  for (const directive of (control ?? '').toLowerCase().split(',')) {
    const [name, value] = directive.trim().split('=');
    if (name === 'no-cache') read = false;
    else if (name === 'no-store') {
      read = false;
      write = false;
    } else if (name === 'max-age' && value !== undefined && /^\d+$/.test(value.trim())) maxAgeMs = Number(value.trim()) * 1000;
  }
  switch (typeof mode === 'string' ? mode.trim().toLowerCase() : undefined) {
    case 'off':
      read = false;
      write = false;
      break;
    case 'read_only':
      write = false;
      break;
    case 'write_only':
      read = false;
      break;
  }
  return maxAgeMs === undefined ? { read, write } : { read, write, maxAgeMs };
}
