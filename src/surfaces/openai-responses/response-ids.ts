/**
 * Ids in OpenAI's Responses form: a type prefix and hex digits. A response id is `resp_` and 48
 * random hex digits, random rather than sequential because a stored response is fetched by id:
 * an id that could be guessed would be one key's way into another's answers were the owner
 * check ever missed.
 *
 * An output item's id is its response's digits plus its index (`msg_<48 hex><4 hex>`), so an
 * `item_reference` to it finds its stored response without an index of items.
 */
import { randomBytes } from 'node:crypto';

const RESPONSE_HEX_LENGTH = 48;
const ITEM_ID = /^(?:msg|fc)_([0-9a-f]{48})[0-9a-f]{4}$/;

export function newResponseId(): string {
  return `resp_${randomBytes(RESPONSE_HEX_LENGTH / 2).toString('hex')}`;
}

/** The id of output item `index` of the response `responseId`. */
export function outputItemId(responseId: string, prefix: 'msg' | 'fc', index: number): string {
  const digits = responseId.startsWith('resp_') ? responseId.slice('resp_'.length) : randomBytes(RESPONSE_HEX_LENGTH / 2).toString('hex');
  return `${prefix}_${digits}${index.toString(16).padStart(4, '0')}`;
}

/** The response an output item id belongs to, or undefined when it is not one of the gateway's. */
export function responseIdOfItem(itemId: string): string | undefined {
  const match = ITEM_ID.exec(itemId);
  return match ? `resp_${match[1]}` : undefined;
}

/** A call id for a tool call the upstream sent without one. */
export function newCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}
