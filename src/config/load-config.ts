/**
 * Reads, interpolates and validates `switchboard.yaml`. Every problem is one line naming the
 * file line, the key path, what is wrong and, where it can, the fix, e.g.
 * `switchboard.yaml:7 models[0].base_ur: unknown key; did you mean \`base_url\`?`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { formatPath } from '../protocol/chat-request-schema.js';
import { ConfigError } from './config-error.js';
import { configLines, NO_LINES, type ConfigLines } from './config-lines.js';
import { interpolateEnv, type UnsetVariable } from './interpolate-env.js';
import { nearestKey, validKeysAt } from './key-suggestion.js';
import { modelReferences } from './model-references.js';
import { configSchema, type GatewayConfig } from './schema.js';
import { locateYamlError } from './yaml-syntax-error.js';

export interface LoadedConfig {
  config: GatewayConfig;
  /** The file read, or undefined when the config came from the environment alone. */
  path: string | undefined;
  /** Human-readable notes for startup. */
  warnings: string[];
}

export interface ConfigReadOptions {
  /** Model names added after loading (`serve --simulate`), which routes may name. */
  addedModels?: readonly string[];
  /**
   * The top-level sections the caller uses; default all. An unset `${VAR}` inside one stops
   * loading; elsewhere its key is left out. `switchboard keys list` reads only `storage`, so an
   * unset `${SWITCHBOARD_ADMIN_KEY}` does not stop it.
   */
  sections?: readonly string[];
}

/** Finds the config file: an explicit path, then SWITCHBOARD_CONFIG, then ./switchboard.yaml. */
export function findConfigPath(explicit: string | undefined, environment: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit) {
    if (!existsSync(explicit)) throw new ConfigError(`config file not found: ${explicit} (check the --config path)`);
    return resolve(explicit);
  }
  if (environment.SWITCHBOARD_CONFIG) {
    if (!existsSync(environment.SWITCHBOARD_CONFIG)) throw new ConfigError(`config file not found: ${environment.SWITCHBOARD_CONFIG} (from SWITCHBOARD_CONFIG; fix or unset it)`);
    return resolve(environment.SWITCHBOARD_CONFIG);
  }
  return existsSync('switchboard.yaml') ? resolve('switchboard.yaml') : undefined;
}

export function loadConfigFile(path: string, environment: NodeJS.ProcessEnv = process.env, options: ConfigReadOptions = {}): LoadedConfig {
  // Errors name the file as the user would: `switchboard.yaml:7`, not its absolute path.
  const shown = relative(process.cwd(), path);
  const name = shown && !shown.startsWith('..') && !isAbsolute(shown) ? shown : path;
  return { ...parseConfigText(readFileSync(path, 'utf8'), name, environment, options), path };
}

export function parseConfigText(text: string, fileName: string, environment: NodeJS.ProcessEnv = process.env, options: ConfigReadOptions = {}): LoadedConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const { line, message } = locateYamlError(document.errors, text, lineCounter);
    throw new ConfigError(`${fileName}:${line}: invalid YAML: ${message}`);
  }
  const lines = configLines(document, lineCounter);
  const { value, unset } = interpolateEnv(document.toJS() ?? {}, environment);
  const required = unset.filter((entry) => !options.sections || options.sections.includes(String(entry.path[0])));
  if (required.length > 0) {
    throw new ConfigError(required.map((entry) => `${where(fileName, lines.valueLine(entry.path))} ${formatPath(entry.path)}: ${unsetMessage(entry)}`).join('\n'));
  }
  for (const entry of unset) if (entry.wholeValue) leaveOut(value, entry.path);
  return { config: validateConfig(value, fileName, lines, options.addedModels), path: fileName, warnings: [] };
}

export function validateConfig(value: unknown, source: string, lines: ConfigLines = NO_LINES, addedModels: readonly string[] = []): GatewayConfig {
  const result = configSchema.safeParse(value);
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues, value, source, lines));
  checkReferences(result.data, source, lines, addedModels);
  return result.data;
}

function unsetMessage({ variable }: UnsetVariable): string {
  return `\${${variable}} is not set; set ${variable}, or write \${${variable}:-} to allow an empty value`;
}

function where(source: string, line: number | undefined): string {
  return `${source}${line ? `:${line}` : ''}`;
}

/** Removes the key at `path` (an unset variable in a section the caller does not read). */
function leaveOut(root: unknown, path: ReadonlyArray<string | number>): void {
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], root);
  if (parent && typeof parent === 'object' && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[String(path.at(-1))];
}

function describeIssues(issues: z.core.$ZodIssue[], value: unknown, source: string, lines: ConfigLines): string {
  const described = issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const validKeys = validKeysAt(configSchema, issue.path, value);
      return issue.keys.map((key) => {
        const suggestion = nearestKey(key, validKeys);
        const hint = suggestion ? `did you mean \`${suggestion}\`?` : `valid keys here: ${validKeys.join(', ')}`;
        return `${where(source, lines.keyLine(issue.path, key))} ${formatPath([...issue.path, key])}: unknown key; ${hint}`;
      });
    }
    const key = issue.path.length > 0 ? formatPath(issue.path) : '(top level)';
    return [`${where(source, lines.valueLine(issue.path))} ${key}: ${issue.message}`];
  });
  return described.slice(0, 5).join('\n');
}

/** Cross-references zod cannot see: duplicate names, and models named by routes and fallbacks. */
function checkReferences(config: GatewayConfig, source: string, lines: ConfigLines, addedModels: readonly string[]): void {
  const models = new Set<string>();
  for (const [index, model] of config.models.entries()) {
    const path = ['models', index, 'name'];
    if (models.has(model.name)) throw new ConfigError(`${where(source, lines.valueLine(path))} ${formatPath(path)}: '${model.name}' is defined twice; rename one`);
    models.add(model.name);
  }
  for (const [index, route] of config.routes.entries()) {
    const path = ['routes', index, 'name'];
    if (models.has(route.name) || config.routes.findIndex((other) => other.name === route.name) !== index) {
      throw new ConfigError(`${where(source, lines.valueLine(path))} ${formatPath(path)}: '${route.name}' is already a model or route name; rename the route`);
    }
  }
  // Models added later (`--simulate`) may be named; the file's own definition wins over them.
  for (const name of addedModels) models.add(name);
  for (const reference of modelReferences(config)) {
    if (models.has(reference.name)) continue;
    const suggestion = nearestKey(reference.name, [...models]);
    const fix = suggestion ? `did you mean \`${suggestion}\`?` : `add it under \`models:\`${models.size > 0 ? ` or use one of ${[...models].join(', ')}` : ''}`;
    throw new ConfigError(`${where(source, lines.valueLine(reference.path))} ${formatPath(reference.path)}: '${reference.name}' is not a configured model; ${fix}`);
  }
}
