import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';

describe('learning-loop config', () => {
  const models = [{ name: 'small', provider: 'openai' }, { name: 'large', provider: 'openai' }];
  const route = { name: 'auto', strategy: 'learned', weak: 'small', strong: 'large', threshold: 0.5 };

  it('refuses review without shadow, and a judge that is not a configured model', () => {
    expect(() => validateConfig({ models, routes: [{ ...route, review: { sample: 0.1 } }] }, 'switchboard.yaml')).toThrow(/review.*needs `shadow`/);
    expect(() => validateConfig({ models, routes: [route], judge: { model: 'oracle' } }, 'switchboard.yaml')).toThrow(/judge\.model: 'oracle' is not a configured model/);
    const config = validateConfig({ models, routes: [{ ...route, shadow: { sample: 0.1, budget_usd_per_day: 5 } }], judge: { model: 'large' } }, 'switchboard.yaml');
    expect(config.judge).toEqual({ model: 'large', sample: 1, swap_positions: true });
    expect(config.routes[0]).toMatchObject({ shadow: { sample: 0.1, max_concurrency: 4, budget_usd_per_day: 5 } });
  });

  it('refuses an experiment whose arms share a route or name an unknown sticky unit', () => {
    const arms = [{ name: 'a', route: 'auto', weight: 1 }, { name: 'b', route: 'auto', weight: 1 }];
    expect(() => validateConfig({ models, routes: [route, { name: 'ab', strategy: 'experiment', arms }] }, 'switchboard.yaml')).toThrow(/each arm needs a route of its own/);
    const distinct = [{ name: 'a', route: 'auto', weight: 1 }, { name: 'b', route: 'large', weight: 1 }];
    expect(() => validateConfig({ models, routes: [route, { name: 'ab', strategy: 'experiment', arms: distinct, sticky: 'cookie' }] }, 'switchboard.yaml')).toThrow(/sticky/);
  });
});
