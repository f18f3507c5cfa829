import { defineConfig } from 'vitest/config';

/**
 * `npm run test:chaos`: failure tests that kill processes and connections (test/chaos/*.chaos.ts).
 * Kept out of `npm test`: they start real servers and take minutes. One file at a time, since
 * they measure timings on a two-core machine.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    globalSetup: ['test/global-setup.ts'],
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
