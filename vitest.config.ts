import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Compiles the CLI first (dist/cli), so the tests that run it as users do run current code.
    globalSetup: ['scripts/build-cli.mjs'],
    testTimeout: 30_000,
    // CI must never run a focused subset by accident.
    allowOnly: false,
  },
});
