import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Under CI=true a missing prerequisite fails the run instead of skipping suites.
    globalSetup: ['test/support/ci-prerequisites.ts'],
    // Kernel tests share one machine's tun driver and /run; keep files serial
    // so timings and namespace counts stay predictable.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
