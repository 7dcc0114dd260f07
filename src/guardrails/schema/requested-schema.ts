/**
 * Where a request asks for a JSON answer of a given shape: Chat Completions'
 * `response_format: {type: "json_schema", json_schema: {schema}}`, or the Responses API's
 * `text: {format: {type: "json_schema", schema}}`. Returns the schema and the param that names
 * it, or undefined when the request asks for none.
 */

export interface RequestedSchema {
  schema: object;
  /** Name given to the schema by the client (`json_schema.name`), if any. */
  name: string | undefined;
  /** Where it sits in the request, for a 400 about the schema itself. */
  param: string;
}

export function requestedSchema(request: { response_format?: unknown; text?: unknown }): RequestedSchema | undefined {
  const responseFormat = request.response_format as { type?: unknown; json_schema?: { name?: unknown; schema?: unknown } } | undefined;
  if (responseFormat?.type === 'json_schema' && isObject(responseFormat.json_schema?.schema)) {
    return { schema: responseFormat.json_schema.schema, name: stringOrUndefined(responseFormat.json_schema.name), param: 'response_format.json_schema.schema' };
  }
  const format = (request.text as { format?: { type?: unknown; name?: unknown; schema?: unknown } } | undefined)?.format;
  if (format?.type === 'json_schema' && isObject(format.schema)) {
    return { schema: format.schema, name: stringOrUndefined(format.name), param: 'text.format.schema' };
  }
  return undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
