/**
 * The router file: a versioned JSON document holding everything needed to score a prompt,
 * so a router trained anywhere scores identically in the gateway. Validated on load, because
 * a route pointing at the wrong file must fail at startup, not route every request oddly.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { STRUCTURE_FEATURES } from './prompt-features.js';
import { TRAINING_ROW_HASH } from './training-rows.js';

export const ROUTER_FILE_FORMAT = 'switchboard-learned-router';
/**
 * Version 2 added the training range of each structure feature (`structureMin`/`structureMax`):
 * scoring clamps to it, so a prompt far outside the training data (a two-word greeting) is
 * scored like the nearest prompts the router has seen instead of by extrapolating a line.
 * Version 1 files, without the range, still load and score as they always did.
 * Version 3 added the optional `semantic` block (weights over a static embedding of the prompt,
 * read from a companion table file) and `trainingRows` (hashes of the prompts trained on, so
 * `switchboard eval` can set in-sample rows apart). Older files still load and score as before.
 */
export const ROUTER_FILE_VERSION = 3;

const featuresSchema = z.object({
  hashBits: z.number().int().min(8).max(24),
  structure: z.array(z.string()),
  structureMean: z.array(z.number()),
  structureScale: z.array(z.number().positive()),
  /** The smallest and largest value of each structure feature in the training rows (version 2). */
  structureMin: z.array(z.number()).optional(),
  structureMax: z.array(z.number()).optional(),
});

const modelSchema = z.object({
  kind: z.literal('logistic-regression'),
  bias: z.number(),
  structureWeights: z.array(z.number()),
  /** Weights of hashed n-gram buckets; buckets not listed weigh zero. */
  hashedIndices: z.array(z.number().int().nonnegative()),
  hashedWeights: z.array(z.number()),
});

export type RouterModel = z.infer<typeof modelSchema>;

const routerFileSchema = z.object({
  format: z.literal(ROUTER_FILE_FORMAT),
  version: z.union([z.literal(1), z.literal(2), z.literal(ROUTER_FILE_VERSION)]),
  description: z.string(),
  weak: z.string().min(1),
  strong: z.string().min(1),
  /** The datasets the router learned from, for the README and `x-switchboard-route` debugging. */
  trainedOn: z.array(z.object({ name: z.string(), rows: z.number().int().nonnegative() })),
  /** Training settings, recorded so a file says how to rebuild it. */
  training: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  features: featuresSchema,
  /** The model trained on all rows; with `domains`, used for prompts the embedding table cannot read. */
  model: modelSchema,
  /** The static embedding table `semantic` and `domains` read (version 3, optional). */
  embeddingTable: z
    .object({
      /** File name, looked up beside the router file, then among the shipped tables. */
      file: z.string().min(1),
      /** SHA-256 of the table file: a router only scores correctly with the exact table it was trained with. */
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
  /** Weights of `model` over the prompt's standardised embedding (version 3, optional). */
  semantic: z.object({ mean: z.array(z.number()), scale: z.array(z.number().positive()), weights: z.array(z.number()) }).optional(),
  /**
   * Domain experts (version 3, optional): one model per training benchmark, mixed by a gate that
   * reads the prompt's embedding (`p(domain)`, one-vs-rest logistic regressions, normalised).
   * Each expert's logit is standardised on its own domain's training rows (`expertCentre`,
   * `expertSpread`), so experts whose domains differ in level (the judge prefers the strong
   * model on most chat) score on one scale; the mix Σ p(domain)·z(domain) is mapped back to a
   * probability with the all-rows model's logit mean and spread (`outputCentre`, `outputSpread`).
   */
  domains: z
    .object({
      names: z.array(z.string()).min(2),
      gateBias: z.array(z.number()),
      gateWeights: z.array(z.array(z.number())),
      experts: z.array(modelSchema),
      expertCentre: z.array(z.number()),
      expertSpread: z.array(z.number().positive()),
      outputCentre: z.number(),
      outputSpread: z.number().positive(),
      /**
       * Share of the all-rows model in the mix: z = s·z(all rows) + (1 − s)·Σ p(domain)·z(domain).
       * A small domain's expert fits its few rows' words too closely; the shared model steadies it.
       */
      sharedWeight: z.number().min(0).max(1),
    })
    .optional(),
  /** Short hashes of the prompts trained on (version 3, optional; see `training-rows.ts`). */
  trainingRows: z.object({ hash: z.literal(TRAINING_ROW_HASH), prompts: z.array(z.string()) }).optional(),
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
  const { semantic, domains } = file;
  if ((semantic || domains) && !file.embeddingTable) throw new RouterFileError(`${source}: semantic weights and domain experts need an embeddingTable`);
  if (semantic && (semantic.mean.length !== semantic.weights.length || semantic.scale.length !== semantic.weights.length)) {
    throw new RouterFileError(`${source}: semantic mean, scale and weights differ in length`);
  }
  if (domains) {
    const count = domains.names.length;
    if ([domains.gateBias, domains.gateWeights, domains.experts, domains.expertCentre, domains.expertSpread].some((array) => array.length !== count)) {
      throw new RouterFileError(`${source}: domains need one gate bias, gate weight row and expert per name`);
    }
    if (domains.experts.some((expert) => expert.structureWeights.length !== structureCount || expert.hashedIndices.length !== expert.hashedWeights.length)) {
      throw new RouterFileError(`${source}: a domain expert's weights do not match the features`);
    }
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
  // Arrays of numbers or strings go on one line each: placeholders first, their text after.
  const inline: string[] = [];
  const flat = (value: unknown[]): boolean => value.every((item) => typeof item === 'number') || value.every((item) => typeof item === 'string');
  return JSON.stringify(file, (_key, value: unknown) => (Array.isArray(value) && value.length > 0 && flat(value) ? `\u0000${inline.push(JSON.stringify(value)) - 1}` : value), 2)
    .replace(/"\\u0000(\d+)"/g, (_match, index: string) => inline[Number(index)])
    .concat('\n');
}
