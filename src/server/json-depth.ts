/**
 * How deep a request's JSON may nest. V8 parses any depth, but everything after the parse that
 * walks the value recursively — `JSON.stringify` on the way upstream, schema validation, PII
 * masking — overflows the stack somewhere past a few thousand levels. A 12 KB body nested 6,000
 * deep did, and the overflow was taken for an upstream failure (issue 12, finding 7). No
 * provider's API needs more than a few dozen levels, so deeper bodies are refused up front.
 */
import { InvalidRequestError } from '../errors/index.js';

/** The default of `limits.request_json_depth`. */
export const DEFAULT_JSON_DEPTH = 64;

/** Throws a 400 naming the too-deep field when `value` nests more than `maxDepth` objects and arrays. */
export function assertJsonDepth(value: unknown, maxDepth: number): void {
  const path = tooDeepPath(value, 0, maxDepth);
  if (!path) return;
  const shown = path.slice(0, 6);
  const param = shown.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? key : `${text}.${key}`), '');
  throw new InvalidRequestError(
    `The request JSON nests objects and arrays more than ${maxDepth} levels deep, under '${param}${path.length > shown.length ? '…' : ''}'. Flatten it.`,
    param,
    'json_too_deep',
  );
}

/** The path to the first container deeper than `maxDepth`, or undefined. Recursion is bounded by `maxDepth`. */
function tooDeepPath(value: unknown, depth: number, maxDepth: number): Array<string | number> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= maxDepth) return [];
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const item = value[index];
      if (item === null || typeof item !== 'object') continue;
      const below = tooDeepPath(item, depth + 1, maxDepth);
      if (below) return [index, ...below];
    }
    return undefined;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item === null || typeof item !== 'object') continue;
    const below = tooDeepPath(item, depth + 1, maxDepth);
    if (below) return [key, ...below];
  }
  return undefined;
}
