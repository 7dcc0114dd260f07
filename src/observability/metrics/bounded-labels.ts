/**
 * Label values that cannot grow without bound. Prometheus keeps one series per distinct label
 * set for the life of the process, so a label fed from client input (a model name nobody
 * configured) is a memory leak: LiteLLM's most reported metrics bug. Names the config knows
 * pass through; anything else becomes `other`.
 */
import type { ModelRegistry } from '../../models/model-registry.js';
import type { RouteTable } from '../../routing/route-table.js';

export const OTHER = 'other';

/** The models and routes of the config now serving (it changes on reload, so it is read per call). */
export interface KnownNames {
  registry: ModelRegistry;
  routes: RouteTable;
}

/** A model or route name the config knows, else `other`; none (a request that failed before naming one) is `''`. */
export function modelLabel(name: string | null, known: KnownNames): string {
  if (name === null || name === '') return '';
  return known.registry.get(name) !== undefined || known.routes.get(name) !== undefined ? name : OTHER;
}

/**
 * Values from an open set the gateway itself produces (error codes, guardrail names): the first
 * `limit` distinct values are kept, later ones become `other`. A safety net, not a filter: the
 * gateway's own codes number a few dozen.
 */
export class BoundedValues {
  private readonly seen = new Set<string>();

  constructor(private readonly limit: number) {}

  label(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.limit || value.length > 64) return OTHER;
    this.seen.add(value);
    return value;
  }
}

/** OpenTelemetry's `gen_ai.provider.name` values for our provider kinds. */
export function genAiProviderName(provider: string | null): string {
  switch (provider) {
    case null:
      return '';
    case 'gemini':
      return 'gcp.gemini';
    case 'openai':
    case 'anthropic':
    case 'openai-compatible':
    case 'simulated':
      return provider;
    default:
      return OTHER;
  }
}

/** `gen_ai.operation.name` of a surface: embeddings, or chat for every chat-shaped API. */
export function genAiOperationName(surface: string | null, endpoint: string): string {
  return surface === 'embeddings' || endpoint.endsWith('/embeddings') ? 'embeddings' : 'chat';
}

/** Which side of a two-model route answered, from its decision label; `other` for rules and fixed routes. */
export function decisionTier(decision: string): 'strong' | 'weak' | 'other' {
  if (decision === 'strong' || decision === 'escalated') return 'strong';
  if (decision === 'weak' || decision === 'weak-accepted') return 'weak';
  return 'other';
}
