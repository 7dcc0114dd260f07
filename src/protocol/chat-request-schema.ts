/**
 * Validation of incoming client requests. Unknown fields are kept (`z.looseObject`) so new
 * OpenAI parameters pass through to OpenAI-compatible upstreams without a gateway release.
 * `messages` is checked by chat-message-validation.ts (per role and content-part type, by hand
 * because it is the bulk of the body), the other fields by the zod schema below. The parsed
 * body itself is returned, not zod's copy: validation never copies the body.
 */
import { z } from 'zod';
import { InvalidRequestError } from '../errors/index.js';
import { validateChatMessages } from './chat-message-validation.js';
import type { ChatCompletionRequest, EmbeddingsRequest } from './chat-types.js';

const tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({ name: z.string(), schema: z.record(z.string(), z.unknown()).optional() }),
  }),
]);

const optionalNumber = (min: number, max: number) => z.number().min(min).max(max).nullable().optional();
const positiveInteger = z.number().int().positive().nullable().optional();

export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  // Checked by validateChatMessages; here only so that zod does not walk (and copy) every message.
  messages: z.custom<unknown[]>((value) => Array.isArray(value), { message: 'expected an array of messages' }).optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  tools: z.array(tool).optional(),
  tool_choice: z
    .union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.literal('function'), function: z.object({ name: z.string() }) })])
    .optional(),
  response_format: responseFormat.optional(),
  temperature: optionalNumber(0, 2),
  top_p: optionalNumber(0, 1),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
  max_tokens: positiveInteger,
  max_completion_tokens: positiveInteger,
  seed: z.number().int().nullable().optional(),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  n: z.number().int().min(1).max(128).nullable().optional(),
});

export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number()).min(1), z.array(z.array(z.number())).min(1)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});

/** Checks a client body and returns it, throwing a 400 that names the first invalid field. */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  parseWith(chatCompletionRequestSchema, body);
  validateChatMessages((body as { messages: unknown }).messages);
  return body as ChatCompletionRequest;
}

export function parseEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  return parseWith(embeddingsRequestSchema, body) as EmbeddingsRequest;
}

function parseWith(schema: z.ZodType, body: unknown): unknown {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issue.path.length > 0 ? formatPath(issue.path) : null;
  const message = param ? `Invalid value for '${param}': ${issue.message}` : `Invalid request body: ${issue.message}`;
  throw new InvalidRequestError(message, param, issue.code === 'invalid_type' && issue.input === undefined ? 'missing_required_parameter' : 'invalid_value');
}

/** `['messages', 0, 'role']` → `messages[0].role`, the way OpenAI names params. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
