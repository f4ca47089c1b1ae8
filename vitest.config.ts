import { defineConfig } from 'vitest/config';

// Unit tests sit beside their source (src/**/*.test.ts); cross-cutting, driver and e2e tests live in
// test/. Network-namespace and browser suites are serialised by their own files (fileParallelism is
// left on: each suite uses its own namespace names and ports).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
