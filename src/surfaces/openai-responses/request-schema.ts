/**
 * Validation of a `POST /v1/responses` body. The top level is checked here; `input` items, tools
 * and `tool_choice` are checked one by one where they are translated (input-items.ts, tools.ts),
 * so an error can name the exact item and say why that kind is not taken.
 *
 * Unknown top-level fields are ignored (the request keeps working when OpenAI adds a parameter),
 * except the few whose silent loss would change the answer: those are refused in
 * `refuseUntranslatable`.
 */
import { z } from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import { formatPath } from '../../protocol/chat-request-schema.js';

const textFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().min(1).max(64),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().optional(),
    strict: z.boolean().nullable().optional(),
  }),
]);

export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
export const REASONING_SUMMARIES = ['auto', 'concise', 'detailed'] as const;

const optionalNumber = (min: number, max: number) => z.number().min(min).max(max).nullable().optional();

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.looseObject({ type: z.string().optional() }))]).optional(),
  instructions: z.string().nullable().optional(),
  tools: z.array(z.looseObject({ type: z.string() })).optional(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.looseObject({ type: z.string() })]).optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  text: z
    .looseObject({
      format: textFormat.optional(),
      verbosity: z.enum(['low', 'medium', 'high']).nullable().optional(),
    })
    .nullable()
    .optional(),
  max_output_tokens: z.number().int().positive().nullable().optional(),
  temperature: optionalNumber(0, 2),
  top_p: optionalNumber(0, 1),
  reasoning: z
    .looseObject({
      effort: z.enum(REASONING_EFFORTS).nullable().optional(),
      summary: z.enum(REASONING_SUMMARIES).nullable().optional(),
    })
    .nullable()
    .optional(),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  store: z.boolean().nullable().optional(),
  previous_response_id: z.string().min(1).nullable().optional(),
  truncation: z.enum(['auto', 'disabled']).nullable().optional(),
  service_tier: z.string().nullable().optional(),
  safety_identifier: z.string().optional(),
  prompt_cache_key: z.string().optional(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type TextFormatParam = z.infer<typeof textFormat>;

/** Parses a client body, throwing a 400 that names the first invalid field. */
export function parseResponsesRequest(body: unknown): ResponsesRequest {
  const request = parseWith(responsesRequestSchema, body, []);
  refuseUntranslatable(request);
  return request;
}

/**
 * Parses `value` with `schema`; an issue becomes a 400 whose `param` is `prefix` plus the
 * issue's path, the way OpenAI names params (`input[2].call_id`).
 */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, prefix: ReadonlyArray<PropertyKey>): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [...prefix, ...issue.path];
  const param = path.length > 0 ? formatPath(path) : null;
  const message = param ? `Invalid value for '${param}': ${issue.message}` : `Invalid request body: ${issue.message}`;
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  throw new InvalidRequestError(message, param, missing ? 'missing_required_parameter' : 'invalid_value');
}

/**
 * Parameters that ask for server-side machinery this gateway does not have. Ignoring them would
 * answer a different question than the one asked, so they are refused by name.
 */
function refuseUntranslatable(request: ResponsesRequest): void {
  const refuse = (param: string, what: string) => {
    throw new InvalidRequestError(`'${param}' is not supported by this gateway: ${what}`, param, 'unsupported_parameter');
  };
  if (request.background === true) refuse('background', 'responses run in the foreground; leave background unset or false.');
  if (request.conversation !== undefined && request.conversation !== null) {
    refuse('conversation', 'the Conversations API is not available; continue a conversation with previous_response_id and store: true.');
  }
  if (request.prompt !== undefined && request.prompt !== null) refuse('prompt', 'stored prompt templates live in the OpenAI dashboard; send instructions and input instead.');
}
