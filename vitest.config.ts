import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real gateways and fake upstreams on loopback ports; two cores do not
    // benefit from more than two workers.
    pool: 'forks',
    maxWorkers: 2,
  },
});
