import { describe, expect, it } from 'vitest';
import { PII_ENTITIES } from './entities.js';
import { guardrailsSchema } from '../guardrails-schema.js';
import { piiGuardrailSchema, piiOverrideSchema, resolvePiiConfig } from './pii-config.js';

describe('guardrails.pii config', () => {
  it('defaults to masking every entity, unmasking, and blocking on detector failure', () => {
    expect(guardrailsSchema.parse({ pii: {} }).pii).toEqual({ action: 'mask', entities: [...PII_ENTITIES], unmask: true, on_error: 'block', phone_regions: ['US'] });
  });

  it('rejects unknown keys, actions and entities, naming the key', () => {
    expect(piiGuardrailSchema.safeParse({ action: 'redact' }).error?.issues[0]?.path).toEqual(['action']);
    expect(piiGuardrailSchema.safeParse({ entities: ['passport'] }).error?.issues[0]?.path).toEqual(['entities', 0]);
    expect(piiGuardrailSchema.safeParse({ unmaks: true }).success).toBe(false);
    expect(piiGuardrailSchema.safeParse({ phone_regions: ['usa'] }).error?.issues[0]?.message).toMatch(/ISO 3166/);
  });

  it('applies levels from global to key, field by field, and `false` turns it off', () => {
    const global = piiGuardrailSchema.parse({ entities: ['email', 'phone'] });
    const route = piiOverrideSchema.parse({ action: 'block' });
    const key = piiOverrideSchema.parse({ entities: ['secret'] });
    expect(resolvePiiConfig([global, route, undefined, key])).toEqual({ ...global, action: 'block', entities: ['secret'] });
    expect(resolvePiiConfig([global, false])).toBeUndefined();
    expect(resolvePiiConfig([undefined, piiOverrideSchema.parse({ action: 'log' })])).toEqual({ ...piiGuardrailSchema.parse({}), action: 'log' });
    expect(resolvePiiConfig([undefined, undefined])).toBeUndefined();
  });
});
