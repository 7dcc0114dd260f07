/**
 * A time in a query string (`from`, `to`): whole milliseconds since the epoch, or a date or
 * date-time (`2026-11-01`, `2026-11-01T12:00:00Z`), between 1970 and the end of year 9999. One
 * parser for every store: SQLite once answered 200 to `from=1.5`, `-1e300` or `1e23`, which
 * PostgreSQL's bigint and timestamp columns refused with a 500 (issue 12, finding 14).
 */
import { InvalidRequestError } from '../../errors/index.js';

/** 9999-12-31T23:59:59.999Z: the last instant an ISO date can name. */
export const LATEST_TIME_MS = 253_402_300_799_999;

/** A number, in any notation JavaScript reads (`1.5`, `-1e300`, `1e23`, `Infinity`): taken as milliseconds. */
const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$|^\s*[+-]?Infinity\s*$/i;

export function parseTimeParameter(value: string | null, name: string): number | undefined {
  if (value === null || value === '') return undefined;
  const invalid = () =>
    new InvalidRequestError(`${name} must be a date (2026-11-01), a date-time, or whole milliseconds since the epoch, from 1970 to 9999; got '${value.slice(0, 40)}'.`, name, 'invalid_value');
  if (NUMERIC.test(value)) {
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number < 0 || number > LATEST_TIME_MS) throw invalid();
    return number;
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed) || parsed < 0 || parsed > LATEST_TIME_MS) throw invalid();
  return parsed;
}
