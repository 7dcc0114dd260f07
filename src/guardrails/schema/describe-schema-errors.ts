/**
 * Turns a failed validation into short text: one line per problem with a JSON path the model
 * can act on, for the repair turn and for the `invalid_output` error. Lines name paths and
 * schema rules, never the answer's values, so they are safe to log.
 *
 *   describeSchemaErrors(result)
 *   // "$.items[0].price: must be number; $: must have required property 'currency'"
 */
import type { SchemaIssue, SchemaValidation } from './json-schema-validator.js';

const MAX_LISTED = 8;

/** One line per problem, at most eight, then how many more. */
export function schemaErrorLines(result: Exclude<SchemaValidation, { valid: true }>, maxListed = MAX_LISTED): string[] {
  if (result.reason === 'not-json') return [`the answer is not valid JSON (${result.parseError})`];
  const lines = [...new Set(result.errors.map(describeIssue))];
  if (lines.length <= maxListed) return lines;
  return [...lines.slice(0, maxListed), `and ${lines.length - maxListed} more`];
}

/** The problems on one line, for an error message or a log field. */
export function describeSchemaErrors(result: Exclude<SchemaValidation, { valid: true }>): string {
  return schemaErrorLines(result).join('; ');
}

/** The user message of a repair turn: what was wrong, and to answer again with JSON only. */
export function repairMessage(result: Exclude<SchemaValidation, { valid: true }>): string {
  const problems = schemaErrorLines(result).map((line) => `- ${line}`).join('\n');
  return `Your previous answer does not match the required JSON schema:\n${problems}\nAnswer again with only the corrected JSON, matching the schema exactly.`;
}

function describeIssue(issue: SchemaIssue): string {
  const path = jsonPath(issue.instancePath);
  const params = issue.params as Record<string, unknown>;
  switch (issue.keyword) {
    case 'additionalProperties':
      return `${path}: must not have the property '${String(params.additionalProperty)}'`;
    case 'enum':
      return `${path}: must be one of ${JSON.stringify(params.allowedValues)}`;
    case 'const':
      return `${path}: must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return `${path}: ${issue.message ?? issue.keyword}`;
  }
}

/** ajv's JSON pointer `/items/0/price` as `$.items[0].price`, which models read more reliably. */
function jsonPath(pointer: string): string {
  if (pointer === '') return '$';
  let path = '$';
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}
