import { defineConfig } from 'vitest/config';

// Tests train real (tiny) networks, so they get generous timeouts; the suite runs on 2 CPU cores in CI.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
