/** Typed parsers for CLI option values; each throws commander's error so usage is printed. */
import { InvalidArgumentError } from 'commander';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return port;
}

export function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('must be a positive number');
  return number;
}

export function parseShare(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 1) throw new InvalidArgumentError('must be a share from 0 to 1, such as 0.3');
  return number;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const SINCE_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since 7d` (also `12h`, `30m`, `2w`) or a date (`2026-11-01`), as ms since the epoch. */
export function parseSince(value: string, now = Date.now()): number {
  const relative = /^(\d+(?:\.\d+)?)([mhdw])$/.exec(value.trim());
  if (relative) return now - Number(relative[1]) * SINCE_UNITS[relative[2]!]!;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new InvalidArgumentError('must be a duration such as 7d, 12h, 30m, 2w, or a date such as 2026-11-01');
  return parsed;
}
