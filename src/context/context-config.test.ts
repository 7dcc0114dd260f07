import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';

const model = (extra: Record<string, unknown> = {}) => ({ name: 'gpt-4o', provider: 'openai', ...extra });

describe('cost lever config', () => {
  it('names the line of a summarize_model that is not a configured model', () => {
    expect(() => validateConfig({ models: [model({ context: { max_input_tokens: 1000, policy: 'summarize', summarize_model: 'gpt-4o-mni' } })] }, 'switchboard.yaml')).toThrow(
      /models\[0\]\.context\.summarize_model: 'gpt-4o-mni' is not a configured model/,
    );
  });

  it('asks for summarize_model with policy summarize', () => {
    expect(() => validateConfig({ models: [model({ context: { max_input_tokens: 1000, policy: 'summarize' } })] }, 'switchboard.yaml')).toThrow(/summarize_model/);
  });

  it('checks that a semantic embedding other than local is a configured model', () => {
    expect(() => validateConfig({ models: [model()], cache: { enabled: true, semantic: { enabled: true, embedding: 'text-embedding-3-small' } } }, 'switchboard.yaml')).toThrow(
      /cache\.semantic\.embedding: 'text-embedding-3-small' is not a configured model/,
    );
    expect(validateConfig({ models: [model()], cache: { enabled: true, semantic: { enabled: true } } }, 'switchboard.yaml').cache.semantic.embedding).toBe('local');
  });

  it('accepts cache, context and max_output_tokens on routes and keys alike', () => {
    const config = validateConfig(
      { models: [model()], routes: [{ name: 'cheap', strategy: 'fixed', model: 'gpt-4o', cache: { scope: 'team' }, context: { max_input_tokens: 500 }, max_output_tokens: 100 }] },
      'switchboard.yaml',
    );
    expect(config.routes[0]).toMatchObject({ cache: { scope: 'team' }, context: { max_input_tokens: 500, policy: 'trim', keep_last_turns: 6 }, max_output_tokens: 100 });
  });
});
