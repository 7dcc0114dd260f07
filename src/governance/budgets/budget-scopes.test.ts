import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { governanceSchema } from '../governance-schema.js';
import { newVirtualKey, type KeySettings } from '../keys/virtual-key.js';
import { SqliteLimitsStore } from '../scope-limits/sqlite-limits-store.js';
import { StoredLimits } from '../scope-limits/stored-limits.js';
import { plainlyUnlimited, scopesFor } from './budget-scopes.js';

const directory = mkdtempSync(join(tmpdir(), 'budget-scopes-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('plainlyUnlimited, the admit stage shortcut', () => {
  const store = new SqliteLimitsStore(join(directory, 'limits.db'));
  const limits = new StoredLimits(store);
  const withDefaultEndUserBudget = governanceSchema.parse({ teams: { research: { budget_usd: 5 } }, end_users: { default: { rpm: 10 } } });
  const withNothing = governanceSchema.parse({});
  const key = (settings: Partial<KeySettings>) => newVirtualKey({ name: 'k', ...settings } as KeySettings).key;

  const cases = [
    { name: 'no key, no end user', key: undefined, user: undefined },
    { name: 'a key without limits or team', key: key({}), user: undefined },
    { name: 'a key with a budget', key: key({ budget_usd: 1 }), user: undefined },
    { name: 'a key with only an rpm', key: key({ rpm: 5 }), user: undefined },
    { name: 'a key in a team', key: key({ team: 'research' }), user: undefined },
    { name: 'an end user', key: undefined, user: 'alice' },
    { name: 'an empty end user', key: undefined, user: '' },
  ];

  for (const config of [withDefaultEndUserBudget, withNothing]) {
    for (const example of cases) {
      it(`never skips a scope admission would find: ${example.name}${config === withNothing ? ', no teams or end-user defaults' : ''}`, async () => {
        const found = await scopesFor(example.key, example.user, { config, limits });
        // The shortcut may say "not sure" (false) when there is no scope, never "unlimited" when there is one.
        if (plainlyUnlimited(example.key, example.user)) expect(found).toEqual([]);
        else if (config === withDefaultEndUserBudget) expect(found.length).toBeGreaterThan(0);
      });
    }
  }

  it('takes the shortcut for the plain cases', () => {
    expect(plainlyUnlimited(undefined, undefined)).toBe(true);
    expect(plainlyUnlimited(key({}), undefined)).toBe(true);
    expect(plainlyUnlimited(key({ budget_usd: 1 }), undefined)).toBe(false);
    expect(plainlyUnlimited(key({ team: 'research' }), undefined)).toBe(false);
    expect(plainlyUnlimited(undefined, 'alice')).toBe(false);
  });
});
