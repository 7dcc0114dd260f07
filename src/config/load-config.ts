/**
 * Reads, interpolates and validates `switchboard.yaml`. Errors name the key path, the file line
 * and what is wrong, e.g. `switchboard.yaml:7 models[0].provider: must be one of openai, …`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { formatPath } from '../protocol/chat-request-schema.js';
import { ConfigError } from './config-error.js';
import { interpolateEnv } from './interpolate-env.js';
import { configSchema, type GatewayConfig } from './schema.js';

export interface LoadedConfig {
  config: GatewayConfig;
  /** The file read, or undefined when the config came from the environment alone. */
  path: string | undefined;
  /** Human-readable notes for startup, such as unset environment variables. */
  warnings: string[];
}

/** Finds the config file: an explicit path, then SWITCHBOARD_CONFIG, then ./switchboard.yaml. */
export function findConfigPath(explicit: string | undefined, environment: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit) {
    if (!existsSync(explicit)) throw new ConfigError(`Config file not found: ${explicit}`);
    return resolve(explicit);
  }
  if (environment.SWITCHBOARD_CONFIG) {
    if (!existsSync(environment.SWITCHBOARD_CONFIG)) throw new ConfigError(`Config file not found: ${environment.SWITCHBOARD_CONFIG} (from SWITCHBOARD_CONFIG)`);
    return resolve(environment.SWITCHBOARD_CONFIG);
  }
  return existsSync('switchboard.yaml') ? resolve('switchboard.yaml') : undefined;
}

export function loadConfigFile(path: string, environment: NodeJS.ProcessEnv = process.env): LoadedConfig {
  return parseConfigText(readFileSync(path, 'utf8'), path, environment);
}

export function parseConfigText(text: string, fileName: string, environment: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const error = document.errors[0]!;
    const line = error.linePos?.[0]?.line ?? (error.pos ? lineCounter.linePos(error.pos[0]).line : undefined);
    throw new ConfigError(`${fileName}${line ? `:${line}` : ''}: invalid YAML: ${error.message.split('\n')[0]}`);
  }
  const raw = document.toJS() ?? {};
  const { value, missing } = interpolateEnv(raw, environment);
  const warnings = missing.map(({ variable, path }) => `${path} references \${${variable}}, which is not set`);
  const lineOf = (path: ReadonlyArray<PropertyKey>): number | undefined => {
    for (let length = path.length; length >= 0; length--) {
      const node = document.getIn(path.slice(0, length) as unknown[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { config: validateConfig(value, fileName, lineOf), path: fileName, warnings };
}

export function validateConfig(value: unknown, source: string, lineOf: (path: ReadonlyArray<PropertyKey>) => number | undefined = () => undefined): GatewayConfig {
  const result = configSchema.safeParse(value);
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues, source, lineOf));
  checkReferences(result.data, source);
  return result.data;
}

function describeIssues(issues: z.core.$ZodIssue[], source: string, lineOf: (path: ReadonlyArray<PropertyKey>) => number | undefined): string {
  const lines = issues.slice(0, 5).map((issue) => {
    const line = lineOf(issue.path);
    const where = `${source}${line ? `:${line}` : ''}`;
    const key = issue.path.length > 0 ? formatPath(issue.path) : '(top level)';
    return `${where} ${key}: ${issue.message}`;
  });
  return `Invalid configuration:\n  ${lines.join('\n  ')}`;
}

/** Cross-references zod cannot see: duplicate names and fallbacks to unknown models. */
function checkReferences(config: GatewayConfig, source: string): void {
  const names = new Set<string>();
  for (const [index, model] of config.models.entries()) {
    if (names.has(model.name)) throw new ConfigError(`${source} models[${index}].name: '${model.name}' is defined twice`);
    names.add(model.name);
  }
  for (const [index, route] of config.routes.entries()) {
    if (names.has(route.name)) throw new ConfigError(`${source} routes[${index}].name: '${route.name}' is already a model or route name`);
    names.add(route.name);
  }
  for (const [index, model] of config.models.entries()) {
    for (const fallback of [...model.fallbacks, model.context_window_fallback, model.content_filter_fallback]) {
      if (fallback !== undefined && !names.has(fallback)) {
        throw new ConfigError(`${source} models[${index}]: fallback '${fallback}' is not a configured model`);
      }
    }
  }
}
