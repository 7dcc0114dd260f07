/**
 * Ids in OpenAI's Responses form: a type prefix and 48 hex digits (`resp_…`, `msg_…`, `fc_…`).
 * They are random, not sequential, because a stored response is fetched by id: an id that could
 * be guessed would be one key's way into another's answers were the owner check ever missed.
 */
import { randomBytes } from 'node:crypto';

export type IdPrefix = 'resp' | 'msg' | 'fc';

export function newResponseItemId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}
