import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Prints which tests skip on this machine and why, once, before the run.
    globalSetup: ['test/setup/skips.ts'],
  },
});
