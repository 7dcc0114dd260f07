/**
 * The router file: a versioned JSON document holding everything needed to score a prompt,
 * so a router trained anywhere scores identically in the gateway. Validated on load, because
 * a route pointing at the wrong file must fail at startup, not route every request oddly.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { STRUCTURE_FEATURES } from './prompt-features.js';

export const ROUTER_FILE_FORMAT = 'switchboard-learned-router';
/**
 * Version 2 added the training range of each structure feature (`structureMin`/`structureMax`):
 * scoring clamps to it, so a prompt far outside the training data (a two-word greeting) is
 * scored like the nearest prompts the router has seen instead of by extrapolating a line.
 * Version 1 files, without the range, still load and score as they always did.
 */
export const ROUTER_FILE_VERSION = 2;

const routerFileSchema = z.object({
  format: z.literal(ROUTER_FILE_FORMAT),
  version: z.union([z.literal(1), z.literal(ROUTER_FILE_VERSION)]),
  description: z.string(),
  weak: z.string().min(1),
  strong: z.string().min(1),
  /** The datasets the router learned from, for the README and `x-switchboard-route` debugging. */
  trainedOn: z.array(z.object({ name: z.string(), rows: z.number().int().nonnegative() })),
  /** Training settings, recorded so a file says how to rebuild it. */
  training: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  features: z.object({
    hashBits: z.number().int().min(8).max(24),
    structure: z.array(z.string()),
    structureMean: z.array(z.number()),
    structureScale: z.array(z.number().positive()),
    /** The smallest and largest value of each structure feature in the training rows (version 2). */
    structureMin: z.array(z.number()).optional(),
    structureMax: z.array(z.number()).optional(),
  }),
  model: z.object({
    kind: z.literal('logistic-regression'),
    bias: z.number(),
    structureWeights: z.array(z.number()),
    /** Weights of hashed n-gram buckets; buckets not listed weigh zero. */
    hashedIndices: z.array(z.number().int().nonnegative()),
    hashedWeights: z.array(z.number()),
  }),
});

export type RouterFile = z.infer<typeof routerFileSchema>;

export class RouterFileError extends Error {
  override name = 'RouterFileError';
}

/** Checks a parsed router document; `source` names it in errors. */
export function validateRouterFile(value: unknown, source: string): RouterFile {
  const result = routerFileSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new RouterFileError(`${source}: not a Switchboard router file (${issue.path.join('.') || 'root'}: ${issue.message})`);
  }
  const file = result.data;
  const { features, model } = file;
  const unknown = features.structure.filter((name) => !(STRUCTURE_FEATURES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new RouterFileError(`${source}: made with structure features [${unknown.join(', ')}] that this version does not compute (it computes [${STRUCTURE_FEATURES.join(', ')}])`);
  }
  const structureCount = features.structure.length;
  const ranged = features.structureMin !== undefined || features.structureMax !== undefined;
  if (file.version >= 2 && !ranged) throw new RouterFileError(`${source}: version ${file.version} needs features.structureMin and features.structureMax`);
  const arrays = [features.structureMean, features.structureScale, model.structureWeights, ...(ranged ? [features.structureMin ?? [], features.structureMax ?? []] : [])];
  if (arrays.some((array) => array.length !== structureCount)) {
    throw new RouterFileError(`${source}: structure feature arrays differ in length`);
  }
  if (model.hashedIndices.length !== model.hashedWeights.length) throw new RouterFileError(`${source}: hashedIndices and hashedWeights differ in length`);
  const buckets = 2 ** features.hashBits;
  if (model.hashedIndices.some((index) => index >= buckets)) throw new RouterFileError(`${source}: a hashed index is outside 2^${features.hashBits} buckets`);
  return file;
}

export function readRouterFile(path: string): RouterFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new RouterFileError(`${path}: ${reason}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RouterFileError(`${path}: not valid JSON`);
  }
  return validateRouterFile(value, path);
}

/** Writes a router file with one array per line, so diffs of a retrained router stay readable. */
export function writeRouterFile(path: string, file: RouterFile): void {
  writeFileSync(path, serialiseRouterFile(file));
}

export function serialiseRouterFile(file: RouterFile): string {
  return JSON.stringify(file, (_key, value: unknown) => (Array.isArray(value) && value.every((item) => typeof item === 'number') ? JSON.stringify(value) : value), 2)
    .replace(/"(\[[-0-9.,e+]*\])"/g, '$1')
    .concat('\n');
}
