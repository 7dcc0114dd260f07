/**
 * `guardrails:` in switchboard.yaml, and the guardrail keys a route, a model and a key may set
 * to change it for their requests (docs/guardrails.md):
 *
 *   guardrails:
 *     pii: { action: mask, entities: [email, phone, …], unmask: true, on_error: block }
 *     json_schema: { validate: true, repair_attempts: 1, on_invalid: error }
 *   routes:
 *     - name: invoices
 *       output_schema: { type: object, … }           # every answer on this route must match
 *       guardrails: { pii: { action: block }, json_schema: { repair_attempts: 2 } }
 *   models:
 *     - name: local-llama
 *       guardrails: { pii: false }                   # a model on the premises sees the originals
 *   # a key: POST /api/keys {"guardrails": {"pii": {"action": "block"}}}
 */
import { z } from 'zod';
import { piiGuardrailSchema, piiOverrideSchema } from './pii/pii-config.js';
import { JsonSchemaValidator } from './schema/json-schema-validator.js';

const jsonSchemaFields = {
  /** Validate answers against the schema a request asks for (`response_format`, `text.format`). */
  validate: z.boolean(),
  /** Repair turns sent to the same model, with the validator's errors, before escalating. */
  repair_attempts: z.number().int().min(0).max(5),
  /** An answer still invalid at the end: `error` answers 502 `invalid_output`, `pass` returns it as it is. */
  on_invalid: z.enum(['error', 'pass']),
  /** After the repair turns, ask the route's strong model (or the model's first fallback) once. */
  escalate: z.boolean(),
};

export const jsonSchemaGuardrailSchema = z.strictObject({
  validate: jsonSchemaFields.validate.default(true),
  repair_attempts: jsonSchemaFields.repair_attempts.default(1),
  on_invalid: jsonSchemaFields.on_invalid.default('error'),
  escalate: jsonSchemaFields.escalate.default(true),
});
export type JsonSchemaGuardrailConfig = z.infer<typeof jsonSchemaGuardrailSchema>;

export const guardrailsSchema = z.strictObject({
  pii: piiGuardrailSchema.optional(),
  json_schema: jsonSchemaGuardrailSchema.prefault({}),
});
export type GuardrailsConfig = z.infer<typeof guardrailsSchema>;

/** What a route may set: its own PII settings and schema-check settings. */
export const routeGuardrailsSchema = z.strictObject({
  pii: piiOverrideSchema.optional(),
  json_schema: z.strictObject(jsonSchemaFields).partial().optional(),
});
export type RouteGuardrails = z.infer<typeof routeGuardrailsSchema>;

/** What a model or a key may set: its own PII settings. */
export const piiOnlyGuardrailsSchema = z.strictObject({
  pii: piiOverrideSchema.optional(),
});
export type PiiOnlyGuardrails = z.infer<typeof piiOnlyGuardrailsSchema>;

/** Compiles route schemas while the config is read, so a broken one fails startup or the reload, naming its key. */
const configValidator = new JsonSchemaValidator({ cacheSize: 64 });

const outputSchema = z.record(z.string(), z.unknown()).superRefine((schema, context) => {
  try {
    configValidator.compile(schema);
  } catch (error) {
    context.addIssue({ code: 'custom', message: `not a valid JSON schema: ${(error as Error).message.replace(/^Invalid JSON schema in '[^']*': /, '')}` });
  }
});

/** The fields every route strategy accepts (routing/route-schema.ts). */
export const routeGuardrailFields = {
  /** A JSON Schema every answer on this route must match, whether or not the request asks for one. */
  output_schema: outputSchema.optional(),
  guardrails: routeGuardrailsSchema.optional(),
};
