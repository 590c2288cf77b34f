import { defineConfig } from 'vitest/config'

// Two projects: `unit` (pure functions, fast, anywhere) and `lab` (real daemons in network
// namespaces; Linux + root; files in a project run one at a time to keep the 2-core machine calm).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'lab',
          environment: 'node',
          include: ['test/integration/**/*.test.ts', 'test/lab/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
})
