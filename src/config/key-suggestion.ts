/**
 * "Did you mean `base_url`?" for an unknown config key: the valid keys at the key's place in the
 * schema, and the nearest of them by edit distance.
 */
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';

type Schema = z.core.$ZodType;

/**
 * The keys an object at `path` may have, found by walking the schema alongside the value (the
 * value picks the branch of a discriminated union, such as a route's `strategy`).
 */
export function validKeysAt(schema: Schema, path: ReadonlyArray<PropertyKey>, value: unknown): string[] {
  const definition = schema._zod.def as unknown as Record<string, any>;
  switch (definition.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
      return validKeysAt(definition.innerType, path, value);
    case 'pipe':
      return validKeysAt(definition.in, path, value);
    case 'union': {
      const options = (definition.options as Schema[]).filter((option) => {
        if (!definition.discriminator || !isRecord(value)) return true;
        const discriminant = (option._zod.def as unknown as Record<string, any>).shape?.[definition.discriminator];
        return !discriminant || discriminant._zod.def.values?.includes(value[definition.discriminator]);
      });
      return [...new Set(options.flatMap((option) => validKeysAt(option, path, value)))];
    }
  }
  if (path.length === 0) return definition.type === 'object' ? Object.keys(definition.shape) : [];
  const [head, ...rest] = path;
  const child = isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[head as string] : undefined;
  if (definition.type === 'array') return validKeysAt(definition.element, rest, child);
  if (definition.type === 'record') return validKeysAt(definition.valueType, rest, child);
  if (definition.type === 'object' && typeof head === 'string' && definition.shape[head]) return validKeysAt(definition.shape[head], rest, child);
  return [];
}

/** The valid name nearest to `unknown`, when it is near enough to be a typo. */
export function nearestKey(unknown: string, validKeys: readonly string[]): string | undefined {
  if (validKeys.length === 0) return undefined;
  const candidate = closest(unknown, validKeys as string[]);
  // A typo changes a character or two (a third of a long name), and never most of the name;
  // further than that, the list of valid names helps more than a guess.
  const edits = distance(unknown, candidate);
  return edits <= Math.max(2, Math.floor(unknown.length / 3)) && edits * 2 <= unknown.length ? candidate : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
