import { defineConfig } from 'vitest/config';

// Tests train real (tiny) networks, so they get generous timeouts; the suite runs on 2 CPU cores in CI.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default on 2 cores is one worker, but most of the suite's time is spent waiting on child
    // processes (CLI starts, run workers, a Slurm job's time limit): two files at once keep both cores busy.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
