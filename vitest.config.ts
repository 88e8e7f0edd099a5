import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{agent,controller,core,scripts,test}/**/*.test.ts'],
    // 2-core CI machine: numeric tests and spawned processes compete for the cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
