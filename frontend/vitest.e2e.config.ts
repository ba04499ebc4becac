import { defineConfig } from 'vitest/config';

// Browser end-to-end tests: headless Debian Chromium driven by playwright-core
// against a running `mizan serve` at MIZAN_URL. One file, run in order.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { concurrent: false },
    reporters: ['verbose'],
  },
});
