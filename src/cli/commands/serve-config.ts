/**
 * What `serve` (and the maintenance commands) run with: the config file, or models derived from
 * provider keys in the environment, with `--port`, `--host`, `--insecure` and `--simulate` applied. Resolved
 * without starting anything, so it is tested in-process.
 */
import { modelsFromEnvironment, providerKeysInEnvironment } from '../../config/environment-models.js';
import { findConfigPath, loadConfigFile, validateConfig, type ConfigReadOptions, type LoadedConfig } from '../../config/load-config.js';
import type { GatewayConfig } from '../../config/schema.js';
import { SIMULATED_MODEL_NAMES, withSimulatedModels } from '../../config/simulated-config.js';

export interface ServeConfigOptions {
  config?: string;
  port?: number;
  host?: string;
  simulate?: boolean;
  /** Listen on a non-loopback address without an admin key. */
  insecure?: boolean;
  /** Only these top-level config sections are read (maintenance commands read `storage`). */
  sections?: ConfigReadOptions['sections'];
}

export function resolveServeConfig(options: ServeConfigOptions, environment: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const path = findConfigPath(options.config, environment);
  const readOptions: ConfigReadOptions = { sections: options.sections, addedModels: options.simulate ? SIMULATED_MODEL_NAMES : [] };
  const loaded: LoadedConfig = path ? loadConfigFile(path, environment, readOptions) : fromEnvironment(options, environment);
  const config: GatewayConfig = structuredClone(loaded.config);
  if (options.port !== undefined) config.server.port = options.port;
  if (options.host !== undefined) config.server.host = options.host;
  if (options.insecure) config.server.insecure = true;
  if (!options.simulate) return { ...loaded, config };
  return { ...loaded, config: validateConfig({ ...config, ...withSimulatedModels(config) }, 'simulate') };
}

/**
 * No config file: models from the provider keys in the environment. Under `--simulate` the keys
 * are left alone, so trying the quick start never spends money on a key set in the shell.
 */
function fromEnvironment(options: ServeConfigOptions, environment: NodeJS.ProcessEnv): LoadedConfig {
  const keys = providerKeysInEnvironment(environment);
  const warnings = options.simulate && keys.length > 0 ? [`--simulate serves simulated models only: ${keys.join(', ')} ${keys.length > 1 ? 'are' : 'is'} set but not used (drop --simulate to use real models)`] : [];
  const models = options.simulate ? [] : modelsFromEnvironment(environment);
  return { config: validateConfig({ models }, 'environment'), path: undefined, warnings };
}
