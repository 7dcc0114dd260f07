import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfigText } from './load-config.js';
import { resolveServeConfig } from '../cli/commands/serve.js';

describe('config loading', () => {
  it('interpolates ${ENV_VAR} references and fills defaults', () => {
    const { config, warnings } = parseConfigText(
      ['models:', '  - name: gpt-4o-mini', '    provider: openai', '    api_key: ${TEST_OPENAI_KEY}', '    price: { input: 0.15, output: 0.60, cached_input: 0.075 }'].join('\n'),
      'switchboard.yaml',
      { TEST_OPENAI_KEY: 'sk-from-env' },
    );
    expect(config.models[0]).toMatchObject({ name: 'gpt-4o-mini', provider: 'openai', api_key: 'sk-from-env', price: { input: 0.15, output: 0.6, cached_input: 0.075 } });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 4100 });
    expect(config.storage.url).toBe('sqlite://.switchboard/switchboard.db');
    expect(warnings).toEqual([]);
  });

  it('uses a ${VAR:-default} fallback and warns about unset variables without failing', () => {
    const { config, warnings } = parseConfigText(
      ['server: { port: 4100 }', 'storage: { url: "${DB_URL:-sqlite://data.db}" }', 'models:', '  - { name: a, provider: openai, api_key: "${MISSING_KEY}" }'].join('\n'),
      'switchboard.yaml',
      {},
    );
    expect(config.storage.url).toBe('sqlite://data.db');
    expect(warnings).toEqual(['models[0].api_key references ${MISSING_KEY}, which is not set']);
  });

  it('names the key path and file line of an invalid value', () => {
    const text = ['models:', '  - name: gpt-4o-mini', '    provider: openai', '  - name: claude', '    provider: anthropc'].join('\n');
    expect(() => parseConfigText(text, 'switchboard.yaml', {})).toThrow(ConfigError);
    expect(() => parseConfigText(text, 'switchboard.yaml', {})).toThrow(/switchboard\.yaml:5 models\[1\]\.provider: Invalid option: expected one of/);
  });

  it('rejects unknown keys, so a typo is not silently ignored', () => {
    expect(() => parseConfigText('server: { prot: 4100 }', 'switchboard.yaml', {})).toThrow(/server: Unrecognized key: "prot"/);
  });

  it('rejects a fallback to a model that does not exist', () => {
    const text = 'models:\n  - { name: a, provider: openai, fallbacks: [b] }';
    expect(() => parseConfigText(text, 'switchboard.yaml', {})).toThrow(/fallback 'b' is not a configured model/);
  });

  it('reports invalid YAML with its line', () => {
    expect(() => parseConfigText('models:\n  - name: [unclosed', 'switchboard.yaml', {})).toThrow(/switchboard\.yaml:\d+: invalid YAML/);
  });
});

describe('serve configuration', () => {
  it('derives models from provider keys in the environment when there is no config file', () => {
    const { config, path } = resolveServeConfig({}, { OPENAI_API_KEY: 'sk-a', GEMINI_API_KEY: 'g-b' });
    expect(path).toBeUndefined();
    expect(config.models.map((model) => `${model.name}:${model.provider}`)).toEqual(['gpt-4o-mini:openai', 'gpt-4o:openai', 'gemini-2.5-flash:gemini', 'gemini-2.5-pro:gemini']);
  });

  it('starts with no models when no key is set, and --simulate adds marked simulated models', () => {
    expect(resolveServeConfig({}, {}).config.models).toEqual([]);
    const simulated = resolveServeConfig({ simulate: true, port: 5000 }, {}).config;
    expect(simulated.server.port).toBe(5000);
    expect(simulated.models.length).toBeGreaterThan(0);
    expect(simulated.models.every((model) => model.simulated === true && model.provider === 'simulated')).toBe(true);
  });
});
