/**
 * With no config file, models come from the provider keys in the environment, so
 * `OPENAI_API_KEY=… switchboard serve` just works.
 */
import type { ModelConfig } from './schema.js';

interface EnvironmentProvider {
  variable: string;
  provider: 'openai' | 'anthropic' | 'gemini';
  models: string[];
}

const ENVIRONMENT_PROVIDERS: EnvironmentProvider[] = [
  { variable: 'OPENAI_API_KEY', provider: 'openai', models: ['gpt-4o-mini', 'gpt-4o'] },
  { variable: 'ANTHROPIC_API_KEY', provider: 'anthropic', models: ['claude-3-5-haiku-latest', 'claude-sonnet-4-5'] },
  { variable: 'GEMINI_API_KEY', provider: 'gemini', models: ['gemini-2.5-flash', 'gemini-2.5-pro'] },
];

export function modelsFromEnvironment(environment: NodeJS.ProcessEnv): ModelConfig[] {
  const models: ModelConfig[] = [];
  for (const entry of ENVIRONMENT_PROVIDERS) {
    const apiKey = environment[entry.variable];
    if (!apiKey) continue;
    for (const name of entry.models) {
      models.push({ name, provider: entry.provider, api_key: apiKey, fallbacks: [], load_balancing: 'weighted' });
    }
  }
  return models;
}

/** The provider key variables that are set, e.g. `['OPENAI_API_KEY']`. */
export function providerKeysInEnvironment(environment: NodeJS.ProcessEnv): string[] {
  return ENVIRONMENT_PROVIDERS.map((entry) => entry.variable).filter((variable) => Boolean(environment[variable]));
}
