/**
 * An HTTP route table: method and path to handler, with how its errors are written and whether
 * its requests go to the request log. Built once per gateway (routes.ts) and read-only after.
 * Fixed paths are one Map lookup; the few parameterised ones (`/v1/models/{id}`) are matched
 * segment by segment only when no fixed path matches.
 */
import type { ServerResponse } from 'node:http';
import type { GatewayError } from '../errors/index.js';
import type { Gateway } from './gateway.js';
import type { RequestContext } from './request-context.js';

export type Handler = (gateway: Gateway, context: RequestContext) => Promise<void>;
/** Writes an error in the surface's own format (OpenAI's by default). */
export type ErrorWriter = (response: ServerResponse, error: GatewayError, headers: Record<string, string>) => void;

export interface RouteEntry {
  handler: Handler;
  writeError?: ErrorWriter;
  /** Requests that name a model are written to the request log; admin reads and health are not. */
  logged: boolean;
}

export interface RouteMatch {
  entry: RouteEntry;
  params: Record<string, string>;
}

interface Pattern {
  segments: string[];
  byMethod: Map<string, RouteEntry>;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export class HttpRoutes {
  private readonly exact = new Map<string, Map<string, RouteEntry>>();
  private readonly patterns: Pattern[] = [];

  /** `path` may have `{name}` segments, handed to the handler as `context.params.name`. */
  add(method: string, path: string, handler: Handler, options: { writeError?: ErrorWriter; logged?: boolean } = {}): this {
    const entry: RouteEntry = { handler, writeError: options.writeError, logged: options.logged ?? false };
    if (!path.includes('{')) {
      let byMethod = this.exact.get(path);
      if (!byMethod) this.exact.set(path, (byMethod = new Map()));
      byMethod.set(method, entry);
      return this;
    }
    const segments = path.split('/');
    let pattern = this.patterns.find((candidate) => candidate.segments.join('/') === segments.join('/'));
    if (!pattern) this.patterns.push((pattern = { segments, byMethod: new Map() }));
    pattern.byMethod.set(method, entry);
    return this;
  }

  find(method: string, rawPath: string): RouteMatch | 'method-not-allowed' | undefined {
    const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
    const byMethod = this.exact.get(path);
    if (byMethod) {
      const entry = byMethod.get(method);
      return entry ? { entry, params: NO_PARAMS } : 'method-not-allowed';
    }
    if (this.patterns.length === 0) return undefined;
    const segments = path.split('/');
    for (const pattern of this.patterns) {
      const params = matchSegments(pattern.segments, segments);
      if (!params) continue;
      const entry = pattern.byMethod.get(method);
      return entry ? { entry, params } : 'method-not-allowed';
    }
    return undefined;
  }
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  let params: Record<string, string> | undefined;
  for (let index = 0; index < pattern.length; index++) {
    const expected = pattern[index]!;
    const actual = segments[index]!;
    if (expected.startsWith('{') && expected.endsWith('}')) {
      if (actual === '') return undefined;
      let value: string;
      try {
        value = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
      (params ??= {})[expected.slice(1, -1)] = value;
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params ?? NO_PARAMS;
}
