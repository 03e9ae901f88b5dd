import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // System tests bind ports and spawn processes; files run in parallel, tests within a file in order.
    fileParallelism: true,
    reporters: ['default'],
  },
});
