/**
 * Validation of an Anthropic Messages request body (`POST /v1/messages`, and the body of
 * `/v1/messages/count_tokens`). A failure is a 400 whose `param` is the Anthropic-style dotted path
 * of the first invalid field, such as `messages.2.content.0.source.media_type`, and whose message
 * starts with it, as Anthropic's own errors do.
 *
 * The schema checks what the gateway reads and leaves every other field alone (`looseObject`):
 * a body that passes here is forwarded unchanged to Anthropic deployments, and Anthropic is the
 * judge of the rest (beta fields, newer block and tool types). Known content block types are
 * checked field by field; a block of a type added after this was written passes through.
 */
import { z } from 'zod';
import { InvalidRequestError } from '../../errors/index.js';

const cacheControl = z.looseObject({ type: z.string() }).nullable().optional();

const base64Source = z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string() });
const urlSource = z.looseObject({ type: z.literal('url'), url: z.string().min(1) });
const fileSource = z.looseObject({ type: z.literal('file'), file_id: z.string().min(1) });
const plainTextSource = z.looseObject({ type: z.literal('text'), media_type: z.string().optional(), data: z.string() });

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });
const imageBlock = z.looseObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [base64Source, urlSource, fileSource]),
  cache_control: cacheControl,
});
/** Blocks allowed inside a document's `content` source and a tool result's `content`, checked like top-level ones. */
const nestedBlocks = z.array(z.looseObject({ type: z.string() }).superRefine((block, context) => checkBlock(block, context)));
const contentSource = z.looseObject({ type: z.literal('content'), content: z.union([z.string(), nestedBlocks]) });
const documentBlock = z.looseObject({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [base64Source, urlSource, fileSource, plainTextSource, contentSource]),
  title: z.string().nullable().optional(),
  cache_control: cacheControl,
});
const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), nestedBlocks]).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});
const thinkingBlock = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() });
const redactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });

const BLOCK_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  text: textBlock,
  image: imageBlock,
  document: documentBlock,
  tool_use: toolUseBlock,
  tool_result: toolResultBlock,
  thinking: thinkingBlock,
  redacted_thinking: redactedThinkingBlock,
};

/**
 * Checks a block against the schema of its type. A discriminated union would reject unknown
 * types, and a union with a catch-all reports a failing known block at the block, not at the
 * field; this reports `…content.0.source.media_type`.
 */
function checkBlock(block: { type: string }, context: z.RefinementCtx): void {
  const schema = BLOCK_SCHEMAS[block.type];
  if (!schema) return;
  const result = schema.safeParse(block);
  if (!result.success) for (const issue of result.error.issues) context.addIssue({ ...issue } as z.core.$ZodRawIssue);
}

const contentBlock = z.looseObject({ type: z.string().min(1) }).superRefine((block, context) => checkBlock(block, context));

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentBlock)]),
});

/** A custom tool needs an `input_schema`; Anthropic's own tools (`type: 'web_search_20250305'`…) need none. */
const tool = z
  .looseObject({
    type: z.string().nullable().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()).optional(),
    cache_control: cacheControl,
  })
  .superRefine((value, context) => {
    if (isCustomTool(value) && value.input_schema === undefined) {
      context.addIssue({ code: 'custom', path: ['input_schema'], message: 'Field required for a custom tool' });
    }
  });

const toolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('none') }),
]);

const thinking = z
  .looseObject({ type: z.string().min(1), budget_tokens: z.number().int().positive().optional() })
  .superRefine((value, context) => {
    if (value.type === 'enabled' && value.budget_tokens === undefined) {
      context.addIssue({ code: 'custom', path: ['budget_tokens'], message: "Field required when thinking is 'enabled'" });
    }
  });

const outputConfig = z.looseObject({
  effort: z.string().nullable().optional(),
  format: z.looseObject({ type: z.string(), schema: z.record(z.string(), z.unknown()).optional() }).nullable().optional(),
});

const fields = {
  model: z.string().min(1),
  messages: z.array(message).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinking.optional(),
  output_config: outputConfig.optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.looseObject({ user_id: z.string().nullable().optional() }).optional(),
  stream: z.boolean().optional(),
};

export const messagesRequestSchema = z.looseObject({ ...fields, max_tokens: z.number().int().positive() });
/** `count_tokens` takes the same body without `max_tokens` (and ignores sampling fields). */
export const countTokensRequestSchema = z.looseObject({ ...fields, max_tokens: z.number().int().positive().optional() });

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
export type MessageParam = z.infer<typeof message>;
export type ToolParam = z.infer<typeof tool>;
export type ToolChoiceParam = z.infer<typeof toolChoice>;
export type ThinkingParam = z.infer<typeof thinking>;
export type OutputConfigParam = z.infer<typeof outputConfig>;
export type TextBlockParam = z.infer<typeof textBlock>;
export type ImageBlockParam = z.infer<typeof imageBlock>;
export type DocumentBlockParam = z.infer<typeof documentBlock>;
export type ToolUseBlockParam = z.infer<typeof toolUseBlock>;
export type ToolResultBlockParam = z.infer<typeof toolResultBlock>;
/** Any content block; narrow it by `type` to one of the params above. */
export type ContentBlockParam = z.infer<typeof contentBlock>;

/** A tool the client runs with its own schema, as opposed to one of Anthropic's versioned tools. */
export function isCustomTool(tool: { type?: string | null }): boolean {
  return tool.type === undefined || tool.type === null || tool.type === 'custom';
}

/** Parses a `/v1/messages` body, throwing a 400 that names the first invalid field. */
export function parseMessagesRequest(body: unknown): MessagesRequest {
  return parseWith(messagesRequestSchema, body);
}

export function parseCountTokensRequest(body: unknown): CountTokensRequest {
  return parseWith(countTokensRequestSchema, body);
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issue.path.length > 0 ? issue.path.map(String).join('.') : null;
  // zod 4 leaves the input out of its issues, so whether the field was absent is read from the body.
  const missing = issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined;
  const message = param ? `${param}: ${missing ? 'Field required' : issue.message}` : `Invalid request body: ${issue.message}`;
  throw new InvalidRequestError(message, param, missing ? 'missing_required_parameter' : 'invalid_value');
}

function valueAt(value: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
