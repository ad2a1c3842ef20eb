import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // CI must never run a focused subset by accident.
    allowOnly: false,
  },
});
