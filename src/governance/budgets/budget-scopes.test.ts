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
const store = new SqliteLimitsStore(join(directory, 'limits.db'));
afterAll(async () => {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('plainlyUnlimited, the admit stage shortcut', () => {
  const limits = new StoredLimits(store);
  const withDefaultEndUserBudget = governanceSchema.parse({ teams: { research: { budget_usd: 5 } }, end_users: { default: { rpm: 10 } } });
  const withNothing = governanceSchema.parse({});
  const key = (settings: Partial<KeySettings>) => newVirtualKey({ name: 'k', ...settings } as KeySettings).key;

  // `scopes`: how many scopes admission finds with teams and an end-user default configured, and without.
  const cases = [
    { name: 'no key, no end user', key: undefined, user: undefined, shortcut: true, scopes: [0, 0] },
    { name: 'a key without limits or team', key: key({}), user: undefined, shortcut: true, scopes: [0, 0] },
    { name: 'a key with a budget', key: key({ budget_usd: 1 }), user: undefined, shortcut: false, scopes: [1, 1] },
    { name: 'a key with only an rpm', key: key({ rpm: 5 }), user: undefined, shortcut: false, scopes: [1, 1] },
    { name: 'a key in a team', key: key({ team: 'research' }), user: undefined, shortcut: false, scopes: [1, 0] },
    { name: 'an end user', key: undefined, user: 'alice', shortcut: false, scopes: [1, 0] },
    { name: 'an empty end user', key: undefined, user: '', shortcut: true, scopes: [0, 0] },
  ];

  for (const example of cases) {
    it(`never skips a scope admission would find: ${example.name}`, async () => {
      expect(plainlyUnlimited(example.key, example.user)).toBe(example.shortcut);
      const withDefaults = await scopesFor(example.key, example.user, { config: withDefaultEndUserBudget, limits });
      const without = await scopesFor(example.key, example.user, { config: withNothing, limits });
      expect([withDefaults.length, without.length]).toEqual(example.scopes);
    });
  }
});
