import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Compiles the CLI first (dist/cli), so the tests that run it as users do run current code.
    globalSetup: ['scripts/build-cli.mjs'],
    // Guards against a hang, not budgets: on a machine loaded to twice its cores a test takes
    // several times as long, and no result may depend on the machine's speed.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // CI must never run a focused subset by accident.
    allowOnly: false,
  },
});
