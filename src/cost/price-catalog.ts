/**
 * Built-in list prices in USD per 1M tokens, as published by each provider for standard
 * (non-batch) requests. Config `price:` overrides an entry. Keep entries sorted by provider;
 * a dated snapshot (`gpt-4o-2024-08-06`) falls back to its family through `lookupPrice`.
 */

export interface ModelPrice {
  /** USD per 1M uncached input tokens. */
  input: number;
  /** USD per 1M output tokens (reasoning tokens included, as providers bill them). */
  output: number;
  /** USD per 1M input tokens read from the provider's prompt cache. Defaults to `input`. */
  cached_input?: number;
  /** USD per 1M input tokens written to the prompt cache (Anthropic). Defaults to `input`. */
  cache_write?: number;
  /** The provider's batch-API price for this model; `BATCH_DISCOUNT` of the fields above when absent. */
  batch?: Omit<ModelPrice, 'batch'>;
}

/**
 * What OpenAI's Batch API, Anthropic's Message Batches and Gemini's batch mode bill, as a share
 * of the standard price: half, for input, output and cache tokens alike. `price.batch` in the
 * config overrides it for a model.
 */
export const BATCH_DISCOUNT = 0.5;

/** The price a line answered through a provider's batch API is billed at. */
export function batchPrice(price: ModelPrice): ModelPrice {
  if (price.batch) return price.batch;
  const scaled: ModelPrice = { input: price.input * BATCH_DISCOUNT, output: price.output * BATCH_DISCOUNT };
  if (price.cached_input !== undefined) scaled.cached_input = price.cached_input * BATCH_DISCOUNT;
  if (price.cache_write !== undefined) scaled.cache_write = price.cache_write * BATCH_DISCOUNT;
  return scaled;
}

export const PRICE_CATALOG: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  'gpt-4o': { input: 2.5, output: 10, cached_input: 1.25 },
  'gpt-4o-2024-05-13': { input: 5, output: 15, cached_input: 5 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cached_input: 0.075 },
  'gpt-4.1': { input: 2, output: 8, cached_input: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cached_input: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cached_input: 0.025 },
  'gpt-5': { input: 1.25, output: 10, cached_input: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cached_input: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cached_input: 0.005 },
  o1: { input: 15, output: 60, cached_input: 7.5 },
  'o1-mini': { input: 1.1, output: 4.4, cached_input: 0.55 },
  o3: { input: 2, output: 8, cached_input: 0.5 },
  'o3-mini': { input: 1.1, output: 4.4, cached_input: 0.55 },
  'o4-mini': { input: 1.1, output: 4.4, cached_input: 0.275 },
  'gpt-4-turbo': { input: 10, output: 30, cached_input: 10 },
  'gpt-4-1106-preview': { input: 10, output: 30, cached_input: 10 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5, cached_input: 0.5 },
  'text-embedding-3-small': { input: 0.02, output: 0, cached_input: 0.02 },
  'text-embedding-3-large': { input: 0.13, output: 0, cached_input: 0.13 },
  'text-embedding-ada-002': { input: 0.1, output: 0, cached_input: 0.1 },
  // Anthropic: cache reads bill at 0.1× input, 5-minute cache writes at 1.25×.
  'claude-3-haiku': { input: 0.25, output: 1.25, cached_input: 0.03, cache_write: 0.3 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cached_input: 0.08, cache_write: 1 },
  'claude-haiku-4-5': { input: 1, output: 5, cached_input: 0.1, cache_write: 1.25 },
  'claude-3-5-sonnet': { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 },
  'claude-3-7-sonnet': { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 },
  'claude-sonnet-4': { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 },
  'claude-sonnet-4-5': { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 },
  'claude-3-opus': { input: 15, output: 75, cached_input: 1.5, cache_write: 18.75 },
  'claude-opus-4': { input: 15, output: 75, cached_input: 1.5, cache_write: 18.75 },
  'claude-opus-4-1': { input: 15, output: 75, cached_input: 1.5, cache_write: 18.75 },
  'claude-opus-4-5': { input: 5, output: 25, cached_input: 0.5, cache_write: 6.25 },
  // Google Gemini (prompts up to 200k tokens for the Pro tier).
  'gemini-1.5-flash': { input: 0.075, output: 0.3, cached_input: 0.01875 },
  'gemini-1.5-pro': { input: 1.25, output: 5, cached_input: 0.3125 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4, cached_input: 0.025 },
  'gemini-2.0-flash-lite': { input: 0.075, output: 0.3, cached_input: 0.075 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cached_input: 0.03 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cached_input: 0.01 },
  'gemini-2.5-pro': { input: 1.25, output: 10, cached_input: 0.125 },
  'text-embedding-004': { input: 0, output: 0, cached_input: 0 },
  // Open-weight models at typical hosted prices (Together, Groq), used by the routing datasets.
  'mixtral-8x7b-instruct': { input: 0.6, output: 0.6, cached_input: 0.6 },
  'llama-3.1-8b-instruct': { input: 0.18, output: 0.18, cached_input: 0.18 },
  'llama-3.1-70b-instruct': { input: 0.88, output: 0.88, cached_input: 0.88 },
};

/**
 * Finds the catalog price of an upstream model id. Tries the exact id, then without a provider
 * prefix (`openai/gpt-4o`), then without a date or `-latest` suffix (`claude-3-5-haiku-20241022`).
 */
export function lookupPrice(model: string): ModelPrice | undefined {
  const candidates = new Set<string>();
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  for (const name of [model, bare]) {
    candidates.add(name);
    candidates.add(name.replace(/-latest$/, ''));
    candidates.add(name.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, ''));
    candidates.add(name.replace(/-(\d{3,4})$/, ''));
    candidates.add(name.replace(/-(preview|exp)(-\d{2}-\d{2})?$/, ''));
  }
  for (const candidate of candidates) {
    const price = PRICE_CATALOG[candidate];
    if (price) return price;
  }
  return undefined;
}
