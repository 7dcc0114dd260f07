/**
 * `guardrails.pii` in switchboard.yaml, settable globally, per route, per model and per key:
 *
 *   guardrails:
 *     pii: { action: mask, entities: [email, phone, credit_card, iban, ssn, ip_address, secret], unmask: true, on_error: block }
 *
 * - `action`: `mask` (placeholders upstream, originals back to the client), `block` (400
 *   `pii_detected`, naming the entity types), `log` (forward unchanged, count what was found).
 * - `entities`: which detectors run; default all.
 * - `unmask`: give the client the original values back (default true); false leaves placeholders.
 * - `on_error`: when a detector fails, `block` (default: refuse the request, never forward it
 *   unchecked) or `pass` (forward it unmasked, and say so in the log and header).
 * - `phone_regions`: regions whose national phone formats count (ISO 3166 alpha-2, default US);
 *   international `+…` numbers are found whatever the region.
 *
 * `piiOverrideSchema` is the same with every field optional, for a more specific level (route,
 * model, key) that changes some fields of the level above; `false` turns the guardrail off there.
 * `resolvePiiConfig` applies the levels, most general first.
 */
import { z } from 'zod';
import { PII_ENTITIES } from './entities.js';

const fields = {
  action: z.enum(['mask', 'block', 'log']),
  entities: z.array(z.enum(PII_ENTITIES)).min(1),
  unmask: z.boolean(),
  on_error: z.enum(['block', 'pass']),
  phone_regions: z.array(z.string().regex(/^[A-Z]{2}$/, 'use an ISO 3166 alpha-2 code such as US or GB')).min(1),
};

export const piiGuardrailSchema = z.strictObject({
  action: fields.action.default('mask'),
  entities: fields.entities.default([...PII_ENTITIES]),
  unmask: fields.unmask.default(true),
  on_error: fields.on_error.default('block'),
  phone_regions: fields.phone_regions.default(['US']),
});
export type PiiGuardrailConfig = z.infer<typeof piiGuardrailSchema>;

export const piiOverrideSchema = z.union([z.literal(false), z.strictObject(fields).partial()]);
export type PiiOverride = z.infer<typeof piiOverrideSchema>;

/**
 * The settings in force for one request: `levels` from the most general (global) to the most
 * specific (key); a later level's fields replace the earlier ones, `false` turns the guardrail
 * off, and undefined levels are skipped. Undefined when no level turns it on.
 */
export function resolvePiiConfig(levels: ReadonlyArray<PiiGuardrailConfig | PiiOverride | undefined>): PiiGuardrailConfig | undefined {
  let resolved: PiiGuardrailConfig | undefined;
  for (const level of levels) {
    if (level === undefined) continue;
    if (level === false) {
      resolved = undefined;
      continue;
    }
    resolved = piiGuardrailSchema.parse({ ...resolved, ...withoutUndefined(level) });
  }
  return resolved;
}

function withoutUndefined(level: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(level).filter(([, value]) => value !== undefined));
}
