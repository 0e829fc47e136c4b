import { defineConfig } from 'vitest/config';

// The fast suite (`npm test`): unit and in-process tests. Spawned CLIs, kill -9, browsers, servers and
// fault injection live under test/e2e/ and run with `npm run test:e2e` (vitest.e2e.config.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', '**/node_modules/**'],
    // Generous: a loaded 2-core machine slows tests down; it must not fail them.
    testTimeout: 120_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    // Two cores: ONNX sessions and sharp already use threads, so keep file-level parallelism modest.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
