/**
 * Validates a model's answer against a JSON Schema (draft 2020-12, `ajv`), for the output
 * check of `response_format: {type: "json_schema"}` and a route's `output_schema`.
 *
 *   const validator = new JsonSchemaValidator();              // one per gateway
 *   const result = validator.validate(schema, answerText);
 *   if (!result.valid) repairMessage(result.errors);          // describe-schema-errors.ts
 *
 * Compiling a schema costs far more than validating with it (ajv generates a function), and
 * clients send the same schema with every request, so compiled validators are cached by the
 * schema's JSON text, least recently used first out. A schema that does not compile is a 400
 * naming `response_format.json_schema.schema`; it is cached too, so a broken client costs one
 * compile.
 *
 * `$schema` naming an older draft (04, 06, 07, 2019-09) is dropped and the schema is read as
 * 2020-12: OpenAI's structured outputs accept such schemas, and the keywords they use in
 * practice (`type`, `properties`, `required`, `enum`, `$ref` to `#/definitions/…`) mean the
 * same in both.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { InvalidRequestError } from '../../errors/index.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

export type SchemaIssue = ErrorObject;

export type SchemaValidation =
  | { valid: true; value: unknown }
  | { valid: false; reason: 'not-json'; errors: []; parseError: string }
  | { valid: false; reason: 'schema-mismatch'; value: unknown; errors: SchemaIssue[] };

export interface JsonSchemaValidatorOptions {
  /** Compiled schemas kept; default 256. */
  cacheSize?: number;
}

/** The request param a 400 about the schema names (`requestedSchema(…).param`). */
const DEFAULT_SCHEMA_PARAM = 'response_format.json_schema.schema';

type CacheEntry = { validate: ValidateFunction } | { invalid: string };

const OLDER_DRAFT = /^https?:\/\/json-schema\.org\/(draft-0[4-7]|draft\/2019-09)\/schema#?$/;

export class JsonSchemaValidator {
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheSize: number;

  constructor(options: JsonSchemaValidatorOptions = {}) {
    this.cacheSize = options.cacheSize ?? 256;
    // allErrors: the repair turn should list every problem, not only the first.
    // strict: false: client schemas carry keywords ajv does not know (OpenAI's `strict`, vendor
    // annotations); they are annotations, not reasons to refuse the request.
    this.ajv = new Ajv2020({ allErrors: true, strict: false, addUsedSchema: false });
    addFormats(this.ajv);
  }

  /** Parses `answerText` as JSON and validates it against `schema`. Throws a 400 if the schema is invalid. */
  validate(schema: object, answerText: string, schemaParam = DEFAULT_SCHEMA_PARAM): SchemaValidation {
    const validate = this.compile(schema, schemaParam);
    let value: unknown;
    try {
      value = JSON.parse(answerText);
    } catch (error) {
      return { valid: false, reason: 'not-json', errors: [], parseError: (error as Error).message };
    }
    return this.validateValue(validate, value);
  }

  /** Validates an already parsed value (a tool call's arguments, a cached answer). */
  validateParsed(schema: object, value: unknown, schemaParam = DEFAULT_SCHEMA_PARAM): SchemaValidation {
    return this.validateValue(this.compile(schema, schemaParam), value);
  }

  /** The compiled validator for `schema`, from the cache when its text was seen before. */
  compile(schema: object, schemaParam = DEFAULT_SCHEMA_PARAM): ValidateFunction {
    const text = JSON.stringify(schema);
    const cached = this.cache.get(text);
    if (cached) {
      // Re-inserting moves the entry to the end: the Map's order is the recency order.
      this.cache.delete(text);
      this.cache.set(text, cached);
      if ('invalid' in cached) throw invalidSchema(cached.invalid, schemaParam);
      return cached.validate;
    }
    const entry = this.compileEntry(schema);
    this.cache.set(text, entry);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    if ('invalid' in entry) throw invalidSchema(entry.invalid, schemaParam);
    return entry.validate;
  }

  /** How many compiled schemas are cached (for tests and metrics). */
  get cachedSchemas(): number {
    return this.cache.size;
  }

  private compileEntry(schema: object): CacheEntry {
    const { $schema, ...rest } = schema as { $schema?: unknown };
    const readable = typeof $schema === 'string' && OLDER_DRAFT.test($schema) ? rest : schema;
    try {
      return { validate: this.ajv.compile(readable) };
    } catch (error) {
      return { invalid: (error as Error).message.replace(/^schema is invalid: /, '') };
    }
  }

  private validateValue(validate: ValidateFunction, value: unknown): SchemaValidation {
    if (validate(value)) return { valid: true, value };
    // ajv reuses `validate.errors` on the next call: keep a copy.
    return { valid: false, reason: 'schema-mismatch', value, errors: [...(validate.errors ?? [])] };
  }
}

function invalidSchema(reason: string, param: string): InvalidRequestError {
  return new InvalidRequestError(`Invalid JSON schema in '${param}': ${reason}`, param, 'invalid_json_schema');
}
