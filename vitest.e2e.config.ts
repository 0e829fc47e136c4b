import { defineConfig } from 'vitest/config';

// The end-to-end suite (`npm run test:e2e`): spawned CLI runs, kill -9 and resume, the report in Chromium,
// the export's PyTorch oracles, minute-long statistical simulations,
// loopback servers and injected faults. One file at a time: each spawns processes of its own.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
  },
});
