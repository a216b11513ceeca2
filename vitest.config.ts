import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // CI runs the suite on a shared two-core machine, three Node lines in a row: a test that
    // takes 1 s alone can take 5 under load. Tests that run external programs (tshark,
    // chromium, tcpdump) still set their own, longer timeouts.
    testTimeout: 20_000,
    // Prints which tests skip on this machine and why, once, before the run.
    globalSetup: ['test/setup/skips.ts'],
  },
});
