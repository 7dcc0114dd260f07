/** The config a maintenance command (keys, spend, cost) reads: the same file `serve` would. */
import { ConfigError } from '../../config/config-error.js';
import type { GatewayConfig } from '../../config/schema.js';
import { resolveServeConfig } from './serve.js';

export function loadCommandConfig(configPath: string | undefined): GatewayConfig {
  try {
    return resolveServeConfig({ config: configPath }).config;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
