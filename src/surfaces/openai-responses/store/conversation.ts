/**
 * The store as a request sees it: keep a finished response, rebuild the conversation a
 * `previous_response_id` continues, and fetch a response for `GET /v1/responses/{id}`. A missing
 * response is an error the caller can act on, never an empty history: continuing without the
 * earlier turns would answer a different question.
 */
import { InvalidRequestError, NotFoundError } from '../../../errors/index.js';
import type { InputItem } from '../input-items.js';
import type { ResponseObject } from '../response-types.js';
import type { DecodedResponsesRequest } from '../decode-request.js';
import type { ResponsesRequest } from '../request-schema.js';
import { responseIdOfItem } from '../response-ids.js';
import type { ResponseStore } from './response-store.js';

const HOW_TO_STORE = 'A response can be continued only when it was created with store: true, by the same API key, and has not expired.';

/**
 * The items of the conversation `previousResponseId` ends, oldest first: each turn's input
 * items, then its output items. Throws a 400 `previous_response_not_found` when the response, or
 * any earlier one in its conversation, is not stored for this owner.
 */
export async function loadConversation(store: ResponseStore, previousResponseId: string, ownerKeyId: string | null): Promise<InputItem[]> {
  const chain = await store.chain(previousResponseId, ownerKeyId);
  const oldest = chain[0];
  if (!oldest) throw previousResponseNotFound(`Previous response with id '${previousResponseId}' not found. ${HOW_TO_STORE}`);
  if (oldest.previousResponseId !== null) {
    throw previousResponseNotFound(
      `Previous response with id '${previousResponseId}' continues response '${oldest.previousResponseId}', which is no longer stored, so its conversation cannot be rebuilt. ${HOW_TO_STORE}`,
    );
  }
  return chain.flatMap((entry) => [...entry.inputItems, ...entry.response.output.map((item): InputItem => ({ ...item }))]);
}

/**
 * Keeps a finished response when its request asked for `store: true`; otherwise does nothing.
 * Call it once the Response is final (`encodeResponse`, or the stream encoder's `response` after
 * `finish` or `fail`).
 */
export async function keepResponse(store: ResponseStore, decoded: DecodedResponsesRequest, response: ResponseObject, ownerKeyId: string | null): Promise<void> {
  if (!decoded.store) return;
  await store.save({
    id: response.id,
    ownerKeyId,
    previousResponseId: decoded.echo.previous_response_id,
    inputItems: decoded.inputItems,
    response,
  });
}

/**
 * Replaces each `item_reference` in the input with the stored output item it names. Clients that
 * assume OpenAI stores every response send earlier answers this way (the Vercel AI SDK does, for
 * assistant text, unless told `store: false`). An item of a response that was not stored, or not
 * by this key, is a 400 that says how to send the item itself.
 */
export async function resolveItemReferences(store: ResponseStore, request: ResponsesRequest, ownerKeyId: string | null): Promise<ResponsesRequest> {
  const { input } = request;
  if (!Array.isArray(input) || !input.some((item) => item.type === 'item_reference')) return request;
  const responses = new Map<string, ResponseObject | undefined>();
  const resolved: InputItem[] = [];
  for (const [index, item] of input.entries()) {
    if (item.type !== 'item_reference') {
      resolved.push(item);
      continue;
    }
    const id = typeof item.id === 'string' ? item.id : '';
    const responseId = responseIdOfItem(id);
    if (responseId && !responses.has(responseId)) responses.set(responseId, (await store.get(responseId, ownerKeyId))?.response);
    const found = responseId ? responses.get(responseId)?.output.find((output) => output.id === id) : undefined;
    if (!found) {
      throw new InvalidRequestError(
        `Item with id '${id}' not found. Items can be referenced only from responses created with store: true by the same API key; otherwise send the item itself (with the Vercel AI SDK, set providerOptions.openai.store to false).`,
        `input[${index}].id`,
        'item_not_found',
      );
    }
    resolved.push({ ...found });
  }
  return { ...request, input: resolved };
}

/** The stored Response for `GET /v1/responses/{id}`, or a 404. */
export async function getStoredResponse(store: ResponseStore, id: string, ownerKeyId: string | null): Promise<ResponseObject> {
  const entry = await store.get(id, ownerKeyId);
  if (!entry) throw new NotFoundError(`Response with id '${id}' not found. ${HOW_TO_STORE.replace('continued', 'retrieved')}`);
  return entry.response;
}

function previousResponseNotFound(message: string): InvalidRequestError {
  return new InvalidRequestError(message, 'previous_response_id', 'previous_response_not_found');
}
