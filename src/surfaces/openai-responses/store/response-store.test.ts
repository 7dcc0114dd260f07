/**
 * The response store on real SQLite and real PostgreSQL (src/testing/shared-services.ts: skipped
 * visibly when PostgreSQL is unreachable, failing under CI).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../errors/index.js';
import type { ChatCompletion } from '../../../protocol/chat-types.js';
import { dropPostgresSchema, sharedServicesFor, TEST_POSTGRES_URL } from '../../../testing/shared-services.js';
import { decodeResponsesRequest, type DecodedResponsesRequest } from '../decode-request.js';
import { encodeResponse } from '../encode-response.js';
import { parseResponsesRequest } from '../request-schema.js';
import type { ResponseObject } from '../response-types.js';
import { getStoredResponse, keepResponse, loadConversation, resolveItemReferences } from './conversation.js';
import { openResponseStore } from './open-response-store.js';
import type { ResponseStore, ResponseStoreOptions } from './response-store.js';

const services = await sharedServicesFor('PostgreSQL response store tests');

const run = randomBytes(4).toString('hex');
const directory = mkdtempSync(join(tmpdir(), 'switchboard-response-store-'));
const schemas: string[] = [];
const opened: ResponseStore[] = [];
let storeCount = 0;

/** A fresh, empty store per call: its own SQLite file, or its own PostgreSQL schema. */
const backends: Array<{ name: string; available: boolean; open: (options?: ResponseStoreOptions) => Promise<ResponseStore> }> = [
  { name: 'SQLite', available: true, open: (options) => track(openResponseStore(`sqlite://${join(directory, `store-${storeCount++}.db`)}`, options)) },
  {
    name: 'PostgreSQL',
    available: services.available,
    open: (options) => {
      const schema = `switchboard_responses_${run}_${storeCount++}`;
      schemas.push(schema);
      return track(openResponseStore(`${TEST_POSTGRES_URL}?schema=${schema}`, options));
    },
  },
];

async function track(store: Promise<ResponseStore>): Promise<ResponseStore> {
  opened.push(await store);
  return opened[opened.length - 1]!;
}

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  for (const schema of schemas) await dropPostgresSchema(schema);
  rmSync(directory, { recursive: true, force: true });
});

/** One turn as the surface would store it: the decoded request and its encoded answer. */
function turn(input: string, answer: string, previousResponseId?: string): { decoded: DecodedResponsesRequest; response: ResponseObject } {
  const decoded = decodeResponsesRequest(parseResponsesRequest({ model: 'gpt-4o-mini', input, store: true, previous_response_id: previousResponseId }));
  const completion: ChatCompletion = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'upstream',
    choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
  };
  return { decoded, response: encodeResponse(completion, decoded.echo) };
}

async function keepTurn(store: ResponseStore, owner: string | null, input: string, answer: string, previousResponseId?: string): Promise<ResponseObject> {
  const { decoded, response } = turn(input, answer, previousResponseId);
  await keepResponse(store, decoded, response, owner);
  return response;
}

async function errorOf(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

describe.each(backends)('the response store on $name', ({ available, open }) => {
  it.skipIf(!available)('returns a stored response as it was, to its owner only', async () => {
    const store = await open();
    const first = await keepTurn(store, 'key_a', 'Hello', 'Hi there!');
    expect(await getStoredResponse(store, first.id, 'key_a')).toEqual(first);
    for (const stranger of ['key_b', null]) {
      const error = await errorOf(getStoredResponse(store, first.id, stranger));
      expect(error.status).toBe(404);
      expect(error.message).toContain(first.id);
    }
  });

  it.skipIf(!available)('keeps nothing for a request that did not ask to be stored', async () => {
    const store = await open();
    const decoded = decodeResponsesRequest(parseResponsesRequest({ model: 'm', input: 'Hi' }));
    const { response } = turn('Hi', 'Hello');
    await keepResponse(store, decoded, response, null);
    expect(await store.get(response.id, null)).toBeUndefined();
  });

  it.skipIf(!available)('rebuilds a three-turn conversation oldest first: each input, then its output', async () => {
    const store = await open();
    const first = await keepTurn(store, null, 'My name is Ada.', 'Hello Ada.');
    const second = await keepTurn(store, null, 'I like tea.', 'Noted.', first.id);
    const third = await keepTurn(store, null, 'What do I like?', 'Tea.', second.id);
    const conversation = await loadConversation(store, third.id, null);
    expect(conversation).toEqual([
      { type: 'message', role: 'user', content: 'My name is Ada.' },
      first.output[0],
      { type: 'message', role: 'user', content: 'I like tea.' },
      second.output[0],
      { type: 'message', role: 'user', content: 'What do I like?' },
      third.output[0],
    ]);
    // The rebuilt items decode as the history of the next turn.
    const next = decodeResponsesRequest(parseResponsesRequest({ model: 'm', input: 'And my name?', previous_response_id: third.id }), conversation);
    expect(next.chat.messages.map((message) => [message.role, message.content])).toEqual([
      ['user', 'My name is Ada.'],
      ['assistant', 'Hello Ada.'],
      ['user', 'I like tea.'],
      ['assistant', 'Noted.'],
      ['user', 'What do I like?'],
      ['assistant', 'Tea.'],
      ['user', 'And my name?'],
    ]);
  });

  it.skipIf(!available)('refuses an unknown previous_response_id with previous_response_not_found', async () => {
    const store = await open();
    const error = await errorOf(loadConversation(store, 'resp_never_stored', null));
    expect(error.status).toBe(400);
    expect(error.code).toBe('previous_response_not_found');
    expect(error.param).toBe('previous_response_id');
    expect(error.message).toContain('resp_never_stored');
  });

  it.skipIf(!available)('does not let one key continue another key’s conversation', async () => {
    const store = await open();
    const theirs = await keepTurn(store, 'key_a', 'Secret plan', 'Understood.');
    expect((await errorOf(loadConversation(store, theirs.id, 'key_b'))).code).toBe('previous_response_not_found');
    expect(await store.delete(theirs.id, 'key_b')).toBe(false);
    expect(await store.get(theirs.id, 'key_a')).toBeDefined();
  });

  it.skipIf(!available)('refuses to continue a conversation whose earlier turn is gone, naming that turn', async () => {
    const store = await open();
    const first = await keepTurn(store, null, 'One', 'A');
    const second = await keepTurn(store, null, 'Two', 'B', first.id);
    expect(await store.delete(first.id, null)).toBe(true);
    const error = await errorOf(loadConversation(store, second.id, null));
    expect(error.code).toBe('previous_response_not_found');
    expect(error.message).toContain(first.id);
  });

  it.skipIf(!available)('stops returning an entry once its TTL has passed, and deletes it on a later write', async () => {
    let now = 1_000_000;
    const store = await open({ ttlMs: 1_000, pruneIntervalMs: 0, now: () => now });
    const old = await keepTurn(store, null, 'Old', 'A');
    now += 500;
    expect(await store.get(old.id, null)).toBeDefined();
    now += 600;
    expect(await store.get(old.id, null)).toBeUndefined();
    expect((await errorOf(loadConversation(store, old.id, null))).code).toBe('previous_response_not_found');
    await keepTurn(store, null, 'New', 'B');
    now -= 1_100;
    // Back before its expiry, the entry would be readable again had the write not deleted it.
    expect(await store.get(old.id, null)).toBeUndefined();
  });

  it.skipIf(!available)('keeps at most maxResponses entries, deleting the oldest', async () => {
    let now = 2_000_000;
    const store = await open({ maxResponses: 2, pruneIntervalMs: 0, now: () => now++ });
    const first = await keepTurn(store, null, 'One', 'A');
    const second = await keepTurn(store, null, 'Two', 'B');
    const third = await keepTurn(store, null, 'Three', 'C');
    expect(await store.get(first.id, null)).toBeUndefined();
    expect(await store.get(second.id, null)).toBeDefined();
    expect(await store.get(third.id, null)).toBeDefined();
  });

  it.skipIf(!available)('prunes at most once per interval', async () => {
    let now = 3_000_000;
    const store = await open({ maxResponses: 1, pruneIntervalMs: 60_000, now: () => now });
    const first = await keepTurn(store, null, 'One', 'A');
    const second = await keepTurn(store, null, 'Two', 'B');
    expect(await store.get(first.id, null)).toBeDefined();
    now += 60_000;
    await keepTurn(store, null, 'Three', 'C');
    expect(await store.get(first.id, null)).toBeUndefined();
    expect(await store.get(second.id, null)).toBeUndefined();
  });

  it.skipIf(!available)('replaces an item_reference with the stored item, for its owner only', async () => {
    const store = await open();
    const earlier = await keepTurn(store, 'key_a', 'Hello', 'Hi there!');
    const reference = { type: 'item_reference', id: earlier.output[0]!.id };
    const request = parseResponsesRequest({ model: 'm', input: [{ role: 'user', content: 'Hello' }, reference, { role: 'user', content: 'Again?' }] });
    const resolved = await resolveItemReferences(store, request, 'key_a');
    expect(resolved.input).toEqual([{ role: 'user', content: 'Hello' }, earlier.output[0], { role: 'user', content: 'Again?' }]);
    const stranger = await errorOf(resolveItemReferences(store, request, 'key_b'));
    expect(stranger).toMatchObject({ status: 400, code: 'item_not_found', param: 'input[1].id' });
    const unknown = await errorOf(resolveItemReferences(store, parseResponsesRequest({ model: 'm', input: [{ type: 'item_reference', id: 'msg_elsewhere' }] }), 'key_a'));
    expect(unknown.message).toContain("'msg_elsewhere'");
  });
});
