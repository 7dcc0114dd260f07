import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../errors/index.js';
import { describeSchemaErrors, repairMessage, schemaErrorLines } from './describe-schema-errors.js';
import { JsonSchemaValidator, type SchemaValidation } from './json-schema-validator.js';
import { requestedSchema } from './requested-schema.js';

const invoiceSchema = {
  type: 'object',
  properties: {
    customer: { type: 'string' },
    currency: { enum: ['EUR', 'USD'] },
    issued: { type: 'string', format: 'date' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, price: { type: 'number', minimum: 0 } },
        required: ['name', 'price'],
        additionalProperties: false,
      },
    },
  },
  required: ['customer', 'currency', 'items'],
  additionalProperties: false,
};

function failed(result: SchemaValidation): Exclude<SchemaValidation, { valid: true }> {
  if (result.valid) throw new Error('expected a failed validation');
  return result;
}

describe('JsonSchemaValidator', () => {
  it('accepts an answer that matches the schema and returns the parsed value', () => {
    const result = new JsonSchemaValidator().validate(invoiceSchema, '{"customer":"ACME","currency":"EUR","issued":"2024-05-01","items":[{"name":"bolt","price":0.25}]}');
    expect(result).toEqual({ valid: true, value: { customer: 'ACME', currency: 'EUR', issued: '2024-05-01', items: [{ name: 'bolt', price: 0.25 }] } });
  });

  it('lists every problem with a JSON path, not only the first', () => {
    const result = failed(new JsonSchemaValidator().validate(invoiceSchema, '{"customer":"ACME","currency":"GBP","issued":"May 1st","items":[{"name":"bolt","price":"cheap","colour":"red"}]}'));
    expect(result.reason).toBe('schema-mismatch');
    expect(schemaErrorLines(result).sort()).toEqual([
      '$.currency: must be one of ["EUR","USD"]',
      '$.issued: must match format "date"',
      '$.items[0].price: must be number',
      "$.items[0]: must not have the property 'colour'",
    ]);
  });

  it('reports a missing required property at its parent', () => {
    const result = failed(new JsonSchemaValidator().validate(invoiceSchema, '{"customer":"ACME","items":[]}'));
    expect(describeSchemaErrors(result)).toBe("$: must have required property 'currency'");
  });

  it('reports an answer that is not JSON at all, with the parser message', () => {
    const result = failed(new JsonSchemaValidator().validate(invoiceSchema, 'Sure! Here is the invoice: {"customer": "ACME"}'));
    expect(result.reason).toBe('not-json');
    expect(describeSchemaErrors(result)).toMatch(/^the answer is not valid JSON \(Unexpected token/);
  });

  it('validates with draft 2020-12 semantics (prefixItems, $defs)', () => {
    const schema = { $defs: { point: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], items: false } }, type: 'object', properties: { at: { $ref: '#/$defs/point' } } };
    const validator = new JsonSchemaValidator();
    expect(validator.validate(schema, '{"at":[1,2]}').valid).toBe(true);
    expect(describeSchemaErrors(failed(validator.validate(schema, '{"at":[1,2,3]}')))).toBe('$.at: must NOT have more than 2 items');
  });

  it('reads a schema that names draft-07 in $schema, as OpenAI does', () => {
    const schema = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], definitions: {} };
    const validator = new JsonSchemaValidator();
    expect(validator.validate(schema, '{"n":3}').valid).toBe(true);
    expect(validator.validate(schema, '{"n":3.5}').valid).toBe(false);
  });

  it('caches compiled schemas by their text, so the same schema from another request compiles once', () => {
    const validator = new JsonSchemaValidator();
    const first = validator.compile(structuredClone(invoiceSchema));
    const second = validator.compile(structuredClone(invoiceSchema));
    expect(second).toBe(first);
    expect(validator.cachedSchemas).toBe(1);
    validator.compile({ type: 'string' });
    expect(validator.cachedSchemas).toBe(2);
  });

  it('drops the least recently used schema past the cache size', () => {
    const validator = new JsonSchemaValidator({ cacheSize: 2 });
    const a = validator.compile({ type: 'string' });
    validator.compile({ type: 'number' });
    validator.compile({ type: 'string' }); // used again: now the most recent
    validator.compile({ type: 'boolean' }); // evicts `number`
    expect(validator.cachedSchemas).toBe(2);
    expect(validator.compile({ type: 'string' })).toBe(a);
  });

  it('refuses an invalid schema with a 400 naming the param the schema came from, every time', () => {
    const validator = new JsonSchemaValidator();
    for (let attempt = 0; attempt < 2; attempt++) {
      let caught: unknown;
      try {
        validator.validate({ type: 'objekt' }, '{}', 'text.format.schema');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidRequestError);
      expect(caught).toMatchObject({ status: 400, code: 'invalid_json_schema', param: 'text.format.schema' });
      expect((caught as Error).message).toMatch(/^Invalid JSON schema in 'text.format.schema': data\/type must be equal to one of the allowed values/);
    }
  });

  it('keeps the errors of one validation when the same schema validates another answer', () => {
    const validator = new JsonSchemaValidator();
    const first = failed(validator.validate({ type: 'object', required: ['a'] }, '{}'));
    validator.validate({ type: 'object', required: ['a'] }, '{"a":1}');
    expect(describeSchemaErrors(first)).toBe("$: must have required property 'a'");
  });
});

describe('repair and error text', () => {
  it('writes a repair turn that lists the problems and asks for JSON only', () => {
    const result = failed(new JsonSchemaValidator().validate(invoiceSchema, '{"customer":1,"currency":"EUR","items":[]}'));
    expect(repairMessage(result)).toBe(
      'Your previous answer does not match the required JSON schema:\n- $.customer: must be string\nAnswer again with only the corrected JSON, matching the schema exactly.',
    );
  });

  it('lists at most eight problems and says how many more, never the values', () => {
    const schema = { type: 'array', items: { type: 'integer' } };
    const result = failed(new JsonSchemaValidator().validate(schema, JSON.stringify(Array.from({ length: 12 }, (_, index) => `secret-${index}`))));
    const lines = schemaErrorLines(result);
    expect(lines).toHaveLength(9);
    expect(lines[8]).toBe('and 4 more');
    expect(lines.join('\n')).not.toContain('secret-');
  });

  it("quotes property names that are not identifiers in the path", () => {
    const schema = { type: 'object', properties: { 'unit price': { type: 'number' }, 'a/b': { type: 'number' } } };
    const result = failed(new JsonSchemaValidator().validate(schema, '{"unit price":"x","a/b":"y"}'));
    expect(schemaErrorLines(result)).toEqual(['$["unit price"]: must be number', '$["a/b"]: must be number']);
  });
});

describe('requestedSchema', () => {
  it('finds the schema of a Chat Completions response_format', () => {
    expect(requestedSchema({ response_format: { type: 'json_schema', json_schema: { name: 'invoice', schema: invoiceSchema } } })).toEqual({ schema: invoiceSchema, name: 'invoice', param: 'response_format.json_schema.schema' });
  });

  it('finds the schema of a Responses API text.format', () => {
    expect(requestedSchema({ text: { format: { type: 'json_schema', name: 'invoice', schema: invoiceSchema } } })).toEqual({ schema: invoiceSchema, name: 'invoice', param: 'text.format.schema' });
  });

  it('finds none for text, json_object or no format', () => {
    expect(requestedSchema({ response_format: { type: 'json_object' } })).toBeUndefined();
    expect(requestedSchema({ response_format: { type: 'text' } })).toBeUndefined();
    expect(requestedSchema({})).toBeUndefined();
  });
});
