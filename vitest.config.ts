import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The UI extension SDK's testing helpers register matchers on a global `expect`.
    globals: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time: most tests wait on I/O (HTTP, databases, child processes), and one at a
    // time took 14 minutes on two cores. Timing assertions live in bench/, never here.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.{ts,tsx}'], exclude: ['test/scale-out/**'], sequence: { groupOrder: 0 } },
      },
      // Worker processes load both cores: these run after everything else, not beside timing-sensitive tests.
      {
        extends: true,
        test: { name: 'scale-out', include: ['test/scale-out/**/*.test.ts'], sequence: { groupOrder: 1 }, fileParallelism: false },
      },
    ],
  },
});
