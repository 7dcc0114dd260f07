/**
 * The config a maintenance command (keys, spend, cost) reads: the same file `serve` would, but
 * only its `storage` section must resolve. These commands talk to the database directly and need
 * no admin key or provider key, so an unset `${SWITCHBOARD_ADMIN_KEY}` does not stop them, while
 * an unset variable in `storage.url` does, by name.
 */
import type { GatewayConfig } from '../../config/schema.js';
import { describeStartupError, exitWithInputError } from '../startup-errors.js';
import { resolveServeConfig } from './serve-config.js';

export const MAINTENANCE_SECTIONS = ['storage'] as const;

export function loadCommandConfig(configPath: string | undefined, environment: NodeJS.ProcessEnv = process.env): GatewayConfig {
  try {
    return resolveServeConfig({ config: configPath, sections: MAINTENANCE_SECTIONS }, environment).config;
  } catch (error) {
    const message = describeStartupError(error);
    if (message === undefined) throw error;
    exitWithInputError(message);
  }
}
