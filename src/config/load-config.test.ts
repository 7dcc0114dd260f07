import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfigText } from './load-config.js';
import { resolveServeConfig } from '../cli/commands/serve-config.js';

const lines = (...text: string[]) => text.join('\n');
const errorOf = (text: string, environment: NodeJS.ProcessEnv = {}): string => {
  try {
    parseConfigText(text, 'switchboard.yaml', environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
};

describe('config loading', () => {
  it('interpolates ${ENV_VAR} references and fills defaults', () => {
    const { config, warnings } = parseConfigText(
      lines('models:', '  - name: gpt-4o-mini', '    provider: openai', '    api_key: ${TEST_OPENAI_KEY}', '    price: { input: 0.15, output: 0.60, cached_input: 0.075 }'),
      'switchboard.yaml',
      { TEST_OPENAI_KEY: 'sk-from-env' },
    );
    expect(config.models[0]).toMatchObject({ name: 'gpt-4o-mini', provider: 'openai', api_key: 'sk-from-env', price: { input: 0.15, output: 0.6, cached_input: 0.075 } });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 4100 });
    expect(config.logging).toEqual({ level: 'info', format: 'auto' });
    expect(config.storage.url).toBe('sqlite://.switchboard/switchboard.db');
    expect(warnings).toEqual([]);
  });

  it('uses a ${VAR:-default} fallback, and ${VAR:-} opts in to an empty value', () => {
    const { config } = parseConfigText(
      lines('storage: { url: "${DB_URL:-sqlite://data.db}" }', 'models:', '  - { name: a, provider: openai, api_key: "${LOCAL_KEY:-}" }'),
      'switchboard.yaml',
      {},
    );
    expect(config.storage.url).toBe('sqlite://data.db');
    expect(config.models[0]!.api_key).toBe('');
  });

  it('refuses an unset ${VAR}, naming the variable, the key, its line and the fix', () => {
    const text = lines('server: { port: 4100 }', 'models:', '  - name: a', '    provider: openai', '    api_key: ${MISSING_KEY}');
    expect(errorOf(text)).toBe('switchboard.yaml:5 models[0].api_key: ${MISSING_KEY} is not set; set MISSING_KEY, or write ${MISSING_KEY:-} to allow an empty value');
    // Set to the empty string counts as unset, as in a shell's ${VAR:-default}.
    expect(errorOf(text, { MISSING_KEY: '' })).toMatch(/\$\{MISSING_KEY\} is not set/);
    expect(errorOf(lines('admin_key: ${SWITCHBOARD_ADMIN_KEY}'))).toMatch(/^switchboard\.yaml:1 admin_key: \$\{SWITCHBOARD_ADMIN_KEY\} is not set/);
  });

  it('leaves out keys with unset variables in sections the caller does not read, but not in the ones it does', () => {
    const text = lines('admin_key: ${SWITCHBOARD_ADMIN_KEY}', 'storage: { url: "sqlite://${DATA_DIR:-.}/log.db" }', 'models:', '  - { name: a, provider: openai, api_key: "${OPENAI_API_KEY}" }');
    const { config } = parseConfigText(text, 'switchboard.yaml', {}, { sections: ['storage'] });
    expect(config.admin_key).toBeUndefined();
    expect(config.models[0]!.api_key).toBeUndefined();
    expect(config.storage.url).toBe('sqlite://./log.db');
    expect(() => parseConfigText('storage: { url: "${DATABASE_URL}" }', 'switchboard.yaml', {}, { sections: ['storage'] })).toThrow(/storage\.url: \$\{DATABASE_URL\} is not set/);
  });

  it('names the key path and file line of an invalid value', () => {
    const text = lines('models:', '  - name: gpt-4o-mini', '    provider: openai', '  - name: claude', '    provider: anthropc');
    expect(errorOf(text)).toMatch(/^switchboard\.yaml:5 models\[1\]\.provider: Invalid option: expected one of/);
  });

  it('points an unknown key at its own line and suggests the nearest valid key', () => {
    const text = lines('models:', '  - name: llama', '    provider: openai-compatible', '    base_ur: http://localhost:11434/v1');
    expect(errorOf(text)).toBe('switchboard.yaml:4 models[0].base_ur: unknown key; did you mean `base_url`?');
    expect(errorOf(lines('server:', '  host: 0.0.0.0', '  prot: 4100'))).toBe('switchboard.yaml:3 server.prot: unknown key; did you mean `port`?');
    expect(errorOf('loging: { level: debug }')).toBe('switchboard.yaml:1 loging: unknown key; did you mean `logging`?');
  });

  it('suggests keys of the route strategy in use, and lists the valid keys when none is near', () => {
    const models = lines('models:', '  - { name: small, provider: openai }', '  - { name: big, provider: openai }');
    expect(errorOf(lines(models, 'routes:', '  - name: auto', '    strategy: learned', '    weak: small', '    stong: big', '    threshold: 0.5'))).toContain(
      'switchboard.yaml:8 routes[0].stong: unknown key; did you mean `strong`?',
    );
    expect(errorOf(lines('retry:', '  attempts: 2', '  colour: blue'))).toBe('switchboard.yaml:3 retry.colour: unknown key; valid keys here: attempts, backoff_ms, max_backoff_ms');
  });

  it('refuses a route that names a model that does not exist, at the line that names it', () => {
    const models = lines('models:', '  - { name: gpt-4o-mini, provider: openai }', '  - { name: gpt-4o, provider: openai }');
    const text = lines(models, 'routes:', '  - name: auto', '    strategy: random', '    weak: gpt-4o-mini', '    strong: smarty');
    expect(errorOf(text)).toBe("switchboard.yaml:8 routes[0].strong: 'smarty' is not a configured model; add it under `models:` or use one of gpt-4o-mini, gpt-4o");
    const typo = lines(models, 'routes:', '  - { name: auto, strategy: fixed, model: gpt-4o-mni }');
    expect(errorOf(typo)).toBe("switchboard.yaml:5 routes[0].model: 'gpt-4o-mni' is not a configured model; did you mean `gpt-4o-mini`?");
    const rules = lines(models, 'routes:', '  - name: tiers', '    strategy: rules', '    default: gpt-4o-mini', '    rules:', '      - { when: { has_images: true }, model: vision }');
    expect(errorOf(rules)).toMatch(/^switchboard\.yaml:9 routes\[0\]\.rules\[0\]\.model: 'vision' is not a configured model/);
  });

  it('rejects a fallback to a model that does not exist', () => {
    expect(errorOf('models:\n  - { name: a, provider: openai, fallbacks: [b] }')).toMatch(/models\[0\]\.fallbacks\[0\]: 'b' is not a configured model; add it under `models:`/);
  });

  it('points a YAML error at the line to fix', () => {
    // Over-indented: the parser blames the key above it.
    expect(errorOf(lines('server:', '  port: 4100', '    host: 0.0.0.0', 'models: []'))).toBe(
      'switchboard.yaml:3: invalid YAML: this line is indented further than the key above it (or that key is missing a value)',
    );
    // Unclosed quote and bracket: the parser blames the end of the file.
    expect(errorOf(lines('server:', '  port: 4100', 'storage:', '  url: "sqlite://x.db', 'models: []'))).toBe('switchboard.yaml:4: invalid YAML: this " quote is never closed');
    expect(errorOf(lines('models:', '  - name: a', '    fallbacks: [b, c', '  - name: b'))).toBe('switchboard.yaml:3: invalid YAML: this [ is never closed with ]');
    expect(errorOf(lines('server:', '  port: 4100', '  port: 4200'))).toBe('switchboard.yaml:3: invalid YAML: Map keys must be unique');
  });
});

describe('serve configuration', () => {
  it('derives models from provider keys in the environment when there is no config file', () => {
    const { config, path } = resolveServeConfig({}, { OPENAI_API_KEY: 'sk-a', GEMINI_API_KEY: 'g-b' });
    expect(path).toBeUndefined();
    expect(config.models.map((model) => `${model.name}:${model.provider}`)).toEqual(['gpt-4o-mini:openai', 'gpt-4o:openai', 'gemini-2.5-flash:gemini', 'gemini-2.5-pro:gemini']);
  });

  it('starts with no models when no key is set, and --simulate serves the README names as simulated models', () => {
    expect(resolveServeConfig({}, {}).config.models).toEqual([]);
    const simulated = resolveServeConfig({ simulate: true, port: 5000 }, {}).config;
    expect(simulated.server.port).toBe(5000);
    expect(simulated.models.map((model) => model.name)).toEqual(['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small', 'sim-gpt-4o-mini', 'sim-gpt-4o', 'sim-text-embedding-3-small']);
    expect(simulated.models.every((model) => model.simulated === true && model.provider === 'simulated')).toBe(true);
    expect(simulated.routes.map((route) => route.name)).toEqual(['auto', 'sim-auto']);
  });

  it('under --simulate with no config file, leaves provider keys in the environment unused and says so', () => {
    const { config, warnings } = resolveServeConfig({ simulate: true }, { OPENAI_API_KEY: 'sk-real' });
    expect(config.models.every((model) => model.provider === 'simulated')).toBe(true);
    expect(warnings).toEqual(['--simulate serves simulated models only: OPENAI_API_KEY is set but not used (drop --simulate to use real models)']);
  });

  it('under --simulate with a config file, keeps the file\'s own models and adds routes only over simulated ones', () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-simulate-'));
    try {
      const path = join(directory, 'switchboard.yaml');
      writeFileSync(path, lines('models:', '  - { name: gpt-4o-mini, provider: openai, api_key: sk-real }', 'routes:', '  - { name: cheap, strategy: fixed, model: sim-gpt-4o }'));
      const { config } = resolveServeConfig({ config: path, simulate: true }, {});
      expect(config.models.find((model) => model.name === 'gpt-4o-mini')).toMatchObject({ provider: 'openai', api_key: 'sk-real' });
      expect(config.models.find((model) => model.name === 'gpt-4o')).toMatchObject({ provider: 'simulated' });
      // `auto` would reach the real gpt-4o-mini, so it is not added; `sim-auto` is all simulated.
      expect(config.routes.map((route) => route.name)).toEqual(['cheap', 'sim-auto']);
      // Without --simulate, the route's model does not exist.
      expect(() => resolveServeConfig({ config: path }, {})).toThrow(/routes\[0\]\.model: 'sim-gpt-4o' is not a configured model/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
